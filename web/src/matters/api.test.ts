import { describe, expect, it } from 'vitest'
import { doneProblems, fileIds, progressProblems } from './api'

describe('matter forms', () => {
  const form = { text: '推进', percent: 40, reason: '', evidence: '', milestones_done: [] }
  it('a percent going back needs a reason', () => {
    expect(progressProblems({ ...form, percent: 20 }, 30)).toEqual({ reason: 'percentBack' })
    expect(progressProblems({ ...form, percent: 20, reason: '返工' }, 30)).toEqual({})
    expect(progressProblems({ ...form, percent: 101 }, 0)).toEqual({ percent: 'percent' })
    expect(progressProblems({ ...form, text: ' ' }, 0)).toEqual({ text: 'required' })
  })
  it('a done report needs evidence', () => {
    expect(doneProblems('完成', '')).toEqual({ evidence: 'evidence' })
    expect(doneProblems('完成', 'a, b\nc')).toEqual({})
    expect(fileIds('a, b\n c，d')).toEqual(['a', 'b', 'c', 'd'])
  })
})
