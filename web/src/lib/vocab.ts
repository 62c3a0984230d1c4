// The case vocabularies the screens offer, once: mirrors of the server's (lianxin/schemas.py).
// Their labels are the i18n `kind.*` and `channel.*` messages.

/** A case's kinds (lianxin/schemas.py KINDS). */
export const KINDS = ['consultation', 'request', 'complaint', 'report', 'suggestion', 'praise'] as const

/** Every channel a case can come in by (lianxin/schemas.py CHANNELS). */
export const CHANNELS = ['web', 'mobile', 'mailbox', 'hotline', 'letter', 'visit', 'reception_day', 'collector', 'open311'] as const
