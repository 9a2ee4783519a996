/** The widgets' files as the published loader names them: `rapport-tools publish-assets` writes the loader's
 * `FILES` line, and the build then minifies the loader (which drops the line's spaces). Paths on the Rapport site. */
export type Published = {
  glue: string;
  wasm: string;
  style: string;
  /** Each chunk's files (their stems), beside the glue. */
  chunks: Record<string, string[]>;
  /** Each element's chunk; none for an element the loader draws itself. */
  chunkOf: Record<string, string>;
};

export function publishedIn(loader: string): Published {
  const named = loader.match(
    /\{ ?glue: ?'([^']+)', ?wasm: ?'([^']+)', ?style: ?'([^']+)', ?chunks: ?\{ ?(.*?) ?\}, ?chunkOf: ?\{ ?(.*?) ?\} ?\}/,
  );
  if (!named) throw new Error('the loader names no widget files');
  const chunks: Record<string, string[]> = {};
  for (const [, chunk, stems] of named[4].matchAll(/([a-z]+): ?\[([^\]]*)\]/g)) {
    chunks[chunk] = stems.match(/[a-z0-9_]+/g) ?? [];
  }
  const chunkOf: Record<string, string> = {};
  for (const [, tag, chunk] of named[5].matchAll(/'([a-z-]+)': ?'([a-z]+)'/g)) chunkOf[tag] = chunk;
  return { glue: named[1], wasm: named[2], style: named[3], chunks, chunkOf };
}
