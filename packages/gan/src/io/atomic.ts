// Atomic writes live in @saddle/nn (checkpoints need them there, and gan depends on nn); re-exported
// here so the experiment's I/O modules import them from one place.
export { writeFileAtomic, writeJsonAtomic, asFileSystemError, FileSystemError, type AtomicData } from '@saddle/nn';
