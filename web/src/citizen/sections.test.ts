import { describe, expect, it } from 'vitest'
import { citizenSection } from './sections'

describe('the citizen menu marks the section a page is in', () => {
  it.each([
    ['/submit', '/submit'],
    ['/receipt/2026-000123', '/submit'],
    ['/track', '/track'],
    ['/track/c-1', '/track'],
    ['/board', '/board'],
    ['/receptions', '/receptions'],
    ['/receptions/r-1/book', '/receptions'],
    ['/consult', '/consult'],
    ['/consult/k-1', '/consult'],
    ['/surveys/s-1', '/consult'],
    ['/projects', '/projects'],
    ['/projects/p-1', '/projects'],
  ])('%s is under %s', (path, tab) => {
    expect(citizenSection(path)).toBe(tab)
  })

  it.each(['/', '/submitted', '/boards', '/trackers', '/receipt'])('%s is under no tab', (path) => {
    expect(citizenSection(path)).toBeNull()
  })
})
