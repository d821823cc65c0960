/** What setup.sh records about the libtorch the addon links. */
export interface LibtorchStamp {
  /** The CMake prefix the addon was built against. */
  prefix: string;
  /** The folder holding libtorch's shared libraries. */
  libdir: string;
  /** libtorch's version, e.g. "2.13.0". */
  version: string;
  /** The Python whose torch this is ('' when none). */
  python: string;
}
/** The stamp of the current build, or undefined before the first build. */
export declare function libtorchStamp(): LibtorchStamp | undefined;
/**
 * The reference interpreter's path.
 * @throws Error when none is recorded or set, saying how to get one.
 */
export declare function referencePython(): string;
