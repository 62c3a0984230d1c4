import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import messages from './messages'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])
}

describe('admin messages', () => {
  it('English and Chinese have the same keys, and every message compiles', () => {
    expect(keys(messages.en).sort()).toEqual(keys(messages['zh-CN']).sort())
    for (const locale of ['en', 'zh-CN'] as const) {
      const errors: string[] = []
      const i18n = createI18n({ legacy: false, locale, messages: { [locale]: messages[locale] },
        missingWarn: false, fallbackWarn: false })
      for (const k of keys(messages[locale])) {
        try {
          const out = i18n.global.t(k, { n: 1, id: 'x', w: 'y', off: 0 })
          if (!out || out === k) errors.push(k)
        } catch (e) {
          errors.push(`${k}: ${String(e)}`)
        }
      }
      expect(errors, locale).toEqual([])
    }
  })
})
