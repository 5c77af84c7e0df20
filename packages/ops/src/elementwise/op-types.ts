/** The shape of an elementwise op's entry in the tables (ops-table.ts, special-ops.ts). */
export interface UnaryOp {
  /** An f32 expression; integer dtypes get their float literals respelled (exprFor). */
  wgsl: string;
  /** The expression for integer dtypes when it differs (no NaN to test for). */
  wgslInt?: string;
  /** The CPU twin: the same math on one number. */
  cpu: (x: number) => number;
  /** Float-only ops refuse integer dtypes. */
  floatOnly: boolean;
}

/** The shape of a binary elementwise op's entry in the tables. */
export interface BinaryOp {
  /** An f32 expression of `x` and `y`. */
  wgsl: string;
  /** The expression for integer dtypes when it differs (no NaN to test for). */
  wgslInt?: string;
  /** The CPU twin: the same math on two numbers. */
  cpu: (x: number, y: number) => number;
  floatOnly: boolean;
}
