/** The shape of an elementwise op's entry in the tables (ops-table.ts, special-ops.ts). */
export interface UnaryOp {
  /** An f32 expression; integer dtypes get their float literals respelled (exprFor). */
  wgsl: string;
  /** The expression for integer dtypes when it differs (no NaN to test for). */
  wgslInt?: string;
  cpu: (x: number) => number;
  /** Float-only ops refuse integer dtypes. */
  floatOnly: boolean;
}

export interface BinaryOp {
  wgsl: string;
  /** The expression for integer dtypes when it differs (no NaN to test for). */
  wgslInt?: string;
  cpu: (x: number, y: number) => number;
  floatOnly: boolean;
}
