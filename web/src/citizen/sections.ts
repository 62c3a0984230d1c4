// Which tab of the citizen's menu a page belongs to: the tab's own page and the pages under
// it (a receipt comes from submitting, a booking from the reception days, a survey from the
// consultations). None for the home page.
const SECTIONS: [string, string[]][] = [
  ['/submit', ['/submit', '/receipt/']],
  ['/track', ['/track']],
  ['/board', ['/board']],
  ['/receptions', ['/receptions']],
  ['/consult', ['/consult', '/surveys/']],
  ['/projects', ['/projects']],
]

export function citizenSection(path: string): string | null {
  for (const [tab, prefixes] of SECTIONS) {
    if (prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`))) return tab
  }
  return null
}
