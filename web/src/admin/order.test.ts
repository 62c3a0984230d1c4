import { describe, expect, it } from 'vitest'
import { errorLine, move, renumber } from './order'

describe('rule order', () => {
  const rules = [{ id: 'a', order: 10 }, { id: 'b', order: 20 }, { id: 'c', order: 30 }]
  it('moves a rule above another and writes only the changed orders', () => {
    const moved = move(rules, 2, 0)
    expect(moved.map((r) => r.id)).toEqual(['c', 'a', 'b'])
    expect(renumber(moved)).toEqual([{ id: 'c', order: 10 }, { id: 'a', order: 20 }, { id: 'b', order: 30 }])
    expect(renumber(rules)).toEqual([])
  })
  it('ignores a move off the ends', () => {
    expect(move(rules, 0, -1)).toBe(rules)
    expect(move(rules, 2, 3)).toBe(rules)
  })
  it('reads the line of a template error', () => {
    expect(errorLine('line 3: unexpected end')).toBe(3)
    expect(errorLine('must be a string')).toBeNull()
  })
})
