import { describe, expect, it } from 'vitest'
import { COLLECTIONS, FORMS, emptyModel, errorsByField, matchBody, matchRows, parseRest, restText, toBody, toModel, withStored, writable } from './forms'

describe('admin forms: item ↔ model', () => {
  it('keeps a county\'s own fields and drops read-only markers on a round trip', () => {
    const leader = { id: 'magistrate_li', name: '李县长', title: '县长', email: 'li@x.cn', portfolio: ['housing'], office: { room: 301 } }
    const model = toModel('leaders', leader)
    expect(model.rest).toEqual({ title: '县长', office: { room: 301 } })
    expect(toBody('leaders', model)).toEqual(leader)
    const user = { username: 'h1', role: 'handler', unit: 'env', password_set: true, active: true, language: 'en', desk: 'B2' }
    expect(toBody('users', toModel('users', user))).toEqual({ username: 'h1', role: 'handler', unit: 'env', active: true, language: 'en', desk: 'B2' })
  })

  it('drops the read-only markers from an item sent back as it is', () => {
    expect(writable('webhooks', { id: 'w', url: 'https://x.cn/h', secret_set: true, active: false }))
      .toEqual({ id: 'w', url: 'https://x.cn/h', active: false })
  })

  it('never sends back nor shows a user\'s server-managed fields', () => {
    const user = { username: 'h1', role: 'handler', unit: 'env', active: true, language: 'zh-CN', desk: 'B2', password_set: true,
      revoked: ['jti-1'], token_version: 3, must_change_password: false, created_at: '2026-01-05T08:00:00+08:00' }
    const model = toModel('users', user)
    expect(model.rest).toEqual({ desk: 'B2' }) // the advanced JSON fold
    expect(toBody('users', model)).toEqual({ username: 'h1', role: 'handler', unit: 'env', active: true, language: 'zh-CN', desk: 'B2' })
    // the list's quick changes (deactivate, reset a password) send the item back too
    expect(writable('users', user)).toEqual({ username: 'h1', role: 'handler', unit: 'env', active: true, language: 'zh-CN', desk: 'B2' })
    // another collection's field of the same name is its own
    expect(toModel('leaders', { id: 'li', name: 'Li', created_at: '2026-01-05' }).rest).toEqual({ created_at: '2026-01-05' })
  })

  it('every collection\'s stored items survive a round trip unchanged', () => {
    const items: Record<string, Record<string, unknown>> = {
      units: { id: 'u', name: 'U', kind: 'township', email: 'u@x.cn', parent: 'gov', towns: ['山阳镇'], topics: ['a'] },
      topics: { id: 't', name: 'T' },
      'routing-rules': { id: 'r', name: 'R', order: 20, match: { kind: ['consultation', 'request'], collective: false, town: '*' },
        lead_unit: '@receiving_unit', co_units: ['a', 'b'], leader: '@portfolio', complexity: 'major', enabled: false, note: '谁先收到谁负责' },
      'deadline-policies': { id: 'p', name: 'P', order: 1, match: { urgency: 'urgent' }, duration: { hours: 24 }, enabled: true },
      templates: { id: 'answer:en', subject: 'S', body: 'line 1\n  {{ x }}\n' },
      webhooks: { id: 'w', url: 'https://x.cn/h', event_types: ['case.*'], units: [], active: true },
      'api-keys': { id: 'k', name: 'K', per_minute: 10, active: true },
    }
    for (const [c, item] of Object.entries(items)) {
      expect(toBody(c as never, toModel(c as never, { ...item, secret_set: true, key_set: true }))).toEqual(item)
    }
  })

  it('sends empty optional fields as the API expects', () => {
    const model = emptyModel('users')
    Object.assign(model.values, { username: 'clerk2', role: 'clerk', name: '', email: '', unit: '', leader: '', password: '' })
    // no empty strings (they would fail the e-mail check), no password (the stored one is kept)
    expect(toBody('users', model)).toEqual({ username: 'clerk2', role: 'clerk', language: 'zh-CN', active: true })
    const rule = emptyModel('routing-rules')
    Object.assign(rule.values, { id: 'r', name: 'R', order: '' })
    // lists are sent empty (an emptied list replaces the stored one); no order → the API says so
    expect(toBody('routing-rules', rule)).toEqual({ id: 'r', name: 'R', match: {}, co_units: [], enabled: true })
    const key = emptyModel('api-keys')
    Object.assign(key.values, { id: 'app', name: 'App', per_minute: null })
    expect(toBody('api-keys', key)).toEqual({ id: 'app', name: 'App', active: true })
  })

  it('a password typed is sent as typed; a secret left empty is not', () => {
    const m = toModel('users', { username: 'a', role: 'admin', password_set: true })
    expect(m.values.password).toBe('') // never shown, empty on edit
    m.values.password = ' new password '
    expect(toBody('users', m).password).toBe(' new password ')
    expect(toBody('webhooks', toModel('webhooks', { id: 'w', url: 'https://x', secret_set: true }))).not.toHaveProperty('secret')
  })

  it('converts a duration between a number with its unit and the API\'s object', () => {
    const m = toModel('deadline-policies', { id: 'p', name: 'P', order: 5, duration: { days: 10 } })
    expect(m.values.duration).toEqual({ amount: 10, unit: 'days' })
    m.values.duration = { amount: 3, unit: 'working_days' }
    expect(toBody('deadline-policies', m).duration).toEqual({ working_days: 3 })
    m.values.duration = { amount: null, unit: 'hours' }
    expect(toBody('deadline-policies', m)).not.toHaveProperty('duration')
    expect(emptyModel('deadline-policies').values.duration).toEqual({ amount: 15, unit: 'working_days' })
  })
})

describe('admin forms: match', () => {
  it('one value, several (any of), present ("*") and yes/no', () => {
    const match = { topic: 'transport', kind: ['complaint', 'request'], town: '*', collective: true }
    const rows = matchRows(match)
    expect(rows.find((r) => r.key === 'topic')).toMatchObject({ values: ['transport'], any: false })
    expect(rows.find((r) => r.key === 'town')).toMatchObject({ any: true })
    expect(rows.find((r) => r.key === 'collective')).toMatchObject({ flag: true })
    expect(matchBody(rows)).toEqual(match)
  })

  it('leaves out rows without a field or a value, and keeps what it cannot show', () => {
    const rows = matchRows({ topic: { $weird: 1 }, flavour: 'x' })
    expect(rows.every((r) => r.raw !== undefined)).toBe(true)
    rows.push({ key: '', values: ['a'], any: false, flag: null }, { key: 'kind', values: [' ', ''], any: false, flag: null },
      { key: 'collective', values: [], any: false, flag: null }, { key: 'keywords', values: ['漏水 ', '停水'], any: false, flag: null })
    expect(matchBody(rows)).toEqual({ topic: { $weird: 1 }, flavour: 'x', keywords: ['漏水', '停水'] })
  })
})

describe('admin forms: pickers', () => {
  it('keeps a stored value the options lack visible, named by itself', () => {
    const units = [{ code: 'env', name: '环保局' }, { code: 'gov', name: '县政府办' }]
    expect(withStored(units, ['gov', 'old_unit'])).toEqual([...units, { code: 'old_unit', name: 'old_unit' }])
    expect(withStored(units, ['env'])).toEqual(units)
    expect(withStored(units, [''])).toEqual(units) // an empty value adds nothing
    expect(withStored([], ['praise'])).toEqual([{ code: 'praise', name: 'praise' }])
  })
})

describe('admin forms: the rest and errors', () => {
  it('edits the county\'s own fields as JSON', () => {
    expect(restText({})).toBe('')
    expect(parseRest(restText({ note: 'n' }))).toEqual({ note: 'n' })
    expect(parseRest('')).toEqual({})
    expect(parseRest('[1]')).toBeNull()
    expect(parseRest('{')).toBeNull()
  })

  it('puts 422 messages on their field, nested paths on the top field', () => {
    expect(errorsByField('deadline-policies', { 'duration._schema': 'give exactly one', match: 'unknown keys: x', note: 'bad', _schema: 'not storable' }))
      .toEqual({ duration: 'give exactly one', match: 'unknown keys: x', _form: 'note: bad; not storable' })
  })

  it('describes every collection with its key field first', () => {
    for (const c of COLLECTIONS) expect(FORMS[c].fields[0].name).toBe(FORMS[c].key)
  })
})
