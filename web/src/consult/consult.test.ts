import { describe, expect, it } from 'vitest'
import { answerBody, lines, missingRequired, pct, scaleValues, sectionBody, sectionName, sectionTitle, type Question } from './api'

const Q: Question[] = [
  { id: 'q1', kind: 'single', text: 'a', options: ['x', 'y'], required: true },
  { id: 'q2', kind: 'multiple', text: 'b', options: ['x', 'y'] },
  { id: 'q3', kind: 'matrix', text: 'c', rows: ['r1', 'r2'], options: ['x', 'y'], required: true },
  { id: 'q4', kind: 'short_text', text: 'd' },
]

describe('survey answers', () => {
  it('leaves out what was not answered and keeps a matrix per row', () => {
    expect(answerBody(Q, { q1: 0, q2: [], q3: [1, undefined], q4: '' })).toEqual({ q1: 0, q3: [1, null] })
  })
  it('names the required questions still open, a matrix with an empty row too', () => {
    expect(missingRequired(Q, answerBody(Q, { q3: [1, undefined] }))).toEqual(['q1', 'q3'])
    expect(missingRequired(Q, answerBody(Q, { q1: 1, q3: [1, 0] }))).toEqual([])
  })
  it('knows both scales', () => {
    expect(scaleValues('1-5')).toEqual([1, 2, 3, 4, 5])
    expect(scaleValues('0-10')).toHaveLength(11)
  })
  it('reads options one per line and shows shares as percentages', () => {
    expect(lines(' a \n\n b\n')).toEqual(['a', 'b'])
    expect(pct(0.6667)).toBe('66.7%')
    expect(pct(null)).toBe('—')
  })
})

import messages from './messages'

function keys(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) =>
    v && typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`])
}

describe('consult messages', () => {
  it('English has every key of Chinese', () => {
    expect(keys(messages.en).sort()).toEqual(keys(messages['zh-CN']).sort())
  })
})

describe('sections', () => {
  const S = [
    { id: 's1', label: '第一条', heading: '为了推进垃圾分类，制定本办法。', text: '第一条 为了推进垃圾分类，制定本办法。' },
    { id: 's2', label: null, heading: '附则', text: '本办法自公布之日起施行。' },
  ]
  it('names a comment\'s section by label and heading, or not at all for the whole draft', () => {
    expect(sectionName(S, 's1')).toBe('第一条 为了推进垃圾分类，制定本办法。')
    expect(sectionName(S, 's2')).toBe('附则')
    expect(sectionName(S, null)).toBeNull()
  })
  it('shows an article\'s text once, its label apart', () => {
    expect(sectionBody(S[0])).toBe('为了推进垃圾分类，制定本办法。')
    expect(sectionBody(S[1])).toBe('本办法自公布之日起施行。')
    expect(sectionTitle(S[0])).toBe('第一条')
    expect(sectionTitle(S[1])).toBe('附则')
    expect(sectionTitle({ id: 's3', label: '第三条', heading: '罚则', text: '违反本办法的，依法处理。' })).toBe('第三条 罚则')
  })
})
