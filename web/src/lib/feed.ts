// Where the event feed ends, found without reading it: the feed answers `next_cursor > n`
// when anything follows event n, so doubling then halving finds the last event in
// O(log n) one-event calls. A console starts there: what happened before it opened is not news.
export async function findEnd(beyond: (n: number) => Promise<boolean>): Promise<number> {
  if (!(await beyond(0))) return 0
  let lo = 0
  let hi = 1
  while (await beyond(hi)) {
    lo = hi
    hi *= 2
  }
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (await beyond(mid)) lo = mid
    else hi = mid
  }
  return hi
}
