import { describe, expect, it } from 'vitest'
import { findEnd } from './feed'

function feedOf(last: number) {
  const calls: number[] = []
  const beyond = async (n: number) => { calls.push(n); return n < last }
  return { beyond, calls }
}

describe('the end of the event feed', () => {
  it('is found for any length, in few calls', async () => {
    for (const last of [0, 1, 2, 3, 7, 8, 9, 1000, 123457]) {
      const f = feedOf(last)
      expect(await findEnd(f.beyond)).toBe(last)
      expect(f.calls.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(last + 2)) + 2)
    }
  })
})
