import { describe, expect, it } from 'vitest'
import { singleFlight } from './singleFlight'

describe('single flight', () => {
  it('runs once more after the current run, however many calls came meanwhile', async () => {
    let runs = 0
    let concurrent = 0
    let maxConcurrent = 0
    const load = singleFlight(async () => {
      runs++
      concurrent++
      maxConcurrent = Math.max(maxConcurrent, concurrent)
      await new Promise((r) => setTimeout(r, 20))
      concurrent--
    })
    const first = load()
    void load(); void load(); void load()
    await first
    await new Promise((r) => setTimeout(r, 60))
    expect(runs).toBe(2)
    expect(maxConcurrent).toBe(1)
    await load()
    expect(runs).toBe(3)
  })
})
