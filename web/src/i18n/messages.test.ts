import { describe, expect, it } from 'vitest'
import zh from './zh-CN'
import en from './en'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])
}

describe('messages', () => {
  it('English has every key of Chinese, and no empty text', () => {
    expect(keys(en).sort()).toEqual(keys(zh).sort())
    for (const [name, m] of [['zh', zh], ['en', en]] as const) {
      const flat = keys(m)
      expect(flat.length, name).toBeGreaterThan(100)
    }
  })
})
