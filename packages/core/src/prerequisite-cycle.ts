/**
 * Finds a prerequisite cycle reachable from `flagKey`, following `prerequisitesByFlag` (flag
 * key → the keys of its prerequisite flags). Returns the cycle as a path that starts and ends
 * with the same key (`["a", "b", "a"]`), or `null` when there is none. Iterative, so any depth
 * is fine; linear in the number of edges reachable from `flagKey`.
 */
export function findPrerequisiteCycle(flagKey: string, prerequisitesByFlag: ReadonlyMap<string, readonly string[]>): string[] | null {
  const done = new Set<string>();
  const onPath = new Map<string, number>(); // key → index in `path`
  const path: string[] = [];
  const nextEdge: number[] = [];
  path.push(flagKey);
  nextEdge.push(0);
  onPath.set(flagKey, 0);
  while (path.length > 0) {
    const depth = path.length - 1;
    const current = path[depth] ?? "";
    const edges = prerequisitesByFlag.get(current) ?? [];
    const edgeIndex = nextEdge[depth] ?? 0;
    if (edgeIndex >= edges.length) {
      path.pop();
      nextEdge.pop();
      onPath.delete(current);
      done.add(current);
      continue;
    }
    nextEdge[depth] = edgeIndex + 1;
    const next = edges[edgeIndex] ?? "";
    const start = onPath.get(next);
    if (start !== undefined) return [...path.slice(start), next];
    if (done.has(next)) continue;
    onPath.set(next, path.length);
    path.push(next);
    nextEdge.push(0);
  }
  return null;
}
