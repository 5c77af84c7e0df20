/**
 * Saving and loading the live GAN as files (issue 24, point 3): the trainer's whole state (both
 * players' weights, their momentum, the running statistics, the RNG states and the history) as one
 * .safetensors file, the JSON state in its metadata, so training goes on exactly where it was. The
 * loader also reads a run folder written by `pnpm gan train` (its checkpoint.json and the
 * checkpoint-*.safetensors file it names: run-folder.ts), so a learner can watch, and go on
 * training, a model trained for minutes on their own machine.
 */
import { SaddleError } from '@saddle/autograd';
import { encodeSafetensors, decodeSafetensors } from '@saddle/nn';
import type { TrainerSnapshot, TrainerState } from '@saddle/gan';

/** The metadata key that holds the trainer's JSON state in a page-saved file. */
const STATE_KEY = 'saddle-gan-trainer-state';

/** The file a page saves: the snapshot's tensors, its state as JSON in the metadata. */
export function encodeSnapshot(snapshot: TrainerSnapshot): Uint8Array {
  return encodeSafetensors(snapshot.tensors, { format: 'saddle-gan-trainer', [STATE_KEY]: JSON.stringify(snapshot.meta) });
}

/** A file the user picked: its name and bytes. */
export interface PickedFile {
  name: string;
  bytes: Uint8Array;
}

const isState = (x: unknown): x is TrainerState => typeof x === 'object' && x !== null && (x as TrainerState).format === 'saddle-gan-trainer';

/**
 * The snapshot in the files picked: one page-saved .safetensors, or a run folder's checkpoint.json
 * with the tensors file it names. Throws a SaddleError saying what was expected otherwise.
 */
export function decodeSnapshot(files: readonly PickedFile[]): TrainerSnapshot {
  const names = files.map((f) => f.name).join(', ') || 'no file';
  const pointer = files.find((f) => f.name === 'checkpoint.json');
  if (pointer) {
    let parsed: { tensors?: unknown; state?: unknown };
    try {
      parsed = JSON.parse(new TextDecoder().decode(pointer.bytes)) as typeof parsed;
    } catch (e) {
      throw new SaddleError('load', `checkpoint.json is not JSON (${(e as Error).message})`);
    }
    if (typeof parsed.tensors !== 'string' || !isState(parsed.state))
      throw new SaddleError('load', 'checkpoint.json is not a saddle GAN checkpoint (written by `pnpm gan train`)');
    const tensorsFile = files.find((f) => f.name === parsed.tensors);
    if (!tensorsFile) throw new SaddleError('load', `checkpoint.json names ${parsed.tensors}; pick it too (got ${names})`);
    return { tensors: decodeSafetensors(tensorsFile.bytes, tensorsFile.name).tensors, meta: parsed.state };
  }
  const file = files.find((f) => f.name.endsWith('.safetensors'));
  if (files.length !== 1 || !file) {
    throw new SaddleError(
      'load',
      `expected one .safetensors saved by this page, or a run folder's checkpoint.json with its checkpoint-*.safetensors; got ${names}`,
    );
  }
  const { tensors, metadata } = decodeSafetensors(file.bytes, file.name);
  const json = metadata?.[STATE_KEY];
  if (!json)
    throw new SaddleError('load', `${file.name} has no trainer state in its metadata: for a run folder's tensors file, pick its checkpoint.json as well`);
  const meta = JSON.parse(json) as unknown;
  if (!isState(meta)) throw new SaddleError('load', `${file.name}: its metadata is not a saddle GAN trainer state`);
  return { tensors: tensors, meta };
}
