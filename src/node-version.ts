/**
 * The oldest Node major the program runs on (package.json `engines`, checked by a unit test).
 * client-node 2.x and its undici need Node ≥ 22; the project is built and tested on Node 24 LTS.
 */
export const MIN_NODE_MAJOR = 24;

/** Why `version` (process.versions.node, e.g. "20.20.2") cannot run the program; undefined when it can. */
export function nodeVersionProblem(version: string): string | undefined {
  const major = Number.parseInt(version, 10);
  if (Number.isInteger(major) && major >= MIN_NODE_MAJOR) return undefined;
  return (
    `needs Node ${MIN_NODE_MAJOR} or newer, this is Node ${version}. ` +
    'In a checkout, `eval "$(bash scripts/node24.sh)"` puts Node 24 first on PATH.'
  );
}
