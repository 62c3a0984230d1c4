// vue-i18n: zh-CN by default, English complete; the choice is kept in localStorage `lx.lang`
// and mirrored in <html lang> (screen readers and axe read it).
import { createI18n } from 'vue-i18n'
import zh from './zh-CN'
import en from './en'
import reception from '../reception/messages'
import attachments from '../attachments/messages'
import consult from '../consult/messages'
import matters from '../matters/messages'
import dashboard from '../dashboard/messages'
import admin from '../admin/messages'

export type Lang = 'zh-CN' | 'en'
export const LANG_KEY = 'lx.lang'

function initial(): Lang {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: {
    'zh-CN': {
      ...zh,
      ...reception['zh-CN'],
      ...attachments['zh-CN'],
      ...consult['zh-CN'],
      ...matters['zh-CN'],
      ...dashboard['zh-CN'],
      ...admin['zh-CN'],
    },
    en: {
      ...en,
      ...reception.en,
      ...attachments.en,
      ...consult.en,
      ...matters.en,
      ...dashboard.en,
      ...admin.en,
    },
  },
})

export function setLang(lang: Lang): void {
  i18n.global.locale.value = lang
  document.documentElement.lang = lang
  try {
    localStorage.setItem(LANG_KEY, lang)
  } catch {
    // private mode: the choice lasts for this page only
  }
}

document.documentElement.lang = i18n.global.locale.value
