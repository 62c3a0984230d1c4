import { describe, expect, it } from 'vitest'
import messages from './messages'
import { MAX_BYTES, precheck } from './api'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])
}

function file(name: string, size: number): File {
  return { name, size, type: 'image/jpeg' } as File
}

describe('attachments', () => {
  it('has every text in both languages', () => {
    expect(keys(messages.en).sort()).toEqual(keys(messages['zh-CN']).sort())
  })

  it('refuses empty, oversized and surplus files before sending, and keeps the rest', () => {
    const { ok, refused } = precheck(
      [file('a.jpg', 10), file('empty.jpg', 0), file('huge.jpg', MAX_BYTES + 1), file('b.jpg', 20), file('c.jpg', 30)], 2)
    expect(ok.map((f) => f.name)).toEqual(['a.jpg', 'b.jpg'])
    expect(refused).toEqual([
      { name: 'empty.jpg', reason: 'empty' },
      { name: 'huge.jpg', reason: 'too_large' },
      { name: 'c.jpg', reason: 'too_many' },
    ])
  })
})
