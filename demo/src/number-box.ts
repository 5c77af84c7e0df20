/**
 * A number box with a range (the toy's and the GAN panel's learning rates and k): a value typed in
 * is used from the next step on if it is in range, else refused with a message naming the box,
 * the value and the range, and the last valid value stays in use.
 */

/** A number box: its element id, what it sets (for messages), its range, whole numbers or not. */
export interface NumberBox {
  id: string;
  what: string;
  min: number;
  max: number;
  integer: boolean;
}

/** The value of `box` as typed, or an error naming the box, the value and the range expected. */
export function readBox(box: NumberBox, text: string): number | Error {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) return new Error(`${box.what}: "${text}" is not a number; expected ${box.min} to ${box.max}`);
  if (box.integer && !Number.isInteger(v)) return new Error(`${box.what}: ${v} is not a whole number; expected ${box.min} to ${box.max}`);
  if (v < box.min || v > box.max) return new Error(`${box.what}: ${v} is out of range; expected ${box.min} to ${box.max}`);
  return v;
}
