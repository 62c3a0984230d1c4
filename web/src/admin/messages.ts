// The admin screens' texts, zh-CN and English.
export default {
  en: {
    admin: {
      title: 'Administration', collections: 'Configuration', log: 'Admin log', items: 'Items', new: 'New item',
      edit: 'Edit', delete: 'Delete', save: 'Save', cancel: 'Cancel', saved: 'Saved.', off: 'off',
      editing: 'Editing {id}', json: 'The item (JSON)', badJson: 'This is not valid JSON.',
      confirmDelete: 'Delete {id}?', up: 'Move up', down: 'Move down', reordered: 'The order is saved.',
      orderHelp: 'Rules are tried from the top; the first that matches fires. Drag a rule, or use Move up / Move down.',
      newPassword: 'New password', resetPassword: 'Reset password', deactivate: 'Deactivate', activate: 'Activate',
      revoke: 'Revoke', keyOnce: 'The new API key — copy it now, it is shown only this once:',
      dryRun: 'Dry-run a case', kind: 'Kind', topic: 'Topic', town: 'Town', caseTitle: 'Title', content: 'Content',
      runDry: 'Run', fired: 'Rule fired', queued: 'the manual queue',
      duePreview: 'Due date of a sample case', urgency: 'Urgency', start: 'Clock starts (default now)',
      dueAt: 'due', days: '{n} calendar days, {off} of them days off', daysOff: 'Days off in between',
      tplId: 'Template id (<name>:<language>)', tplSubject: 'Subject', tplBody: 'Body', tplSms: 'Text message (optional)',
      preview: 'Preview', rendered: 'Rendered with a sample event', line: 'line {n}',
      when: 'When', who: 'Who', what: 'What', collection: 'Collection', item: 'Item', more: 'Older entries',
      op: { create: 'created', update: 'changed', delete: 'deleted' },
      c: {
        units: 'Units', users: 'Users', leaders: 'Leaders and portfolios', topics: 'Topics', 'routing-rules': 'Routing rules',
        'deadline-policies': 'Deadline policies', templates: 'Templates', webhooks: 'Webhooks', 'api-keys': 'Open311 API keys',
      },
    },
  },
  'zh-CN': {
    admin: {
      title: '系统管理', collections: '配置', log: '操作日志', items: '条目', new: '新增',
      edit: '编辑', delete: '删除', save: '保存', cancel: '取消', saved: '已保存。', off: '停用',
      editing: '编辑 {id}', json: '条目（JSON）', badJson: '不是有效的 JSON。',
      confirmDelete: '删除 {id}？', up: '上移', down: '下移', reordered: '顺序已保存。',
      orderHelp: '规则自上而下匹配，第一条匹配的规则生效。可拖动规则，或用“上移”“下移”。',
      newPassword: '新密码', resetPassword: '重置密码', deactivate: '停用', activate: '启用',
      revoke: '吊销', keyOnce: '新的 API 密钥——请立即复制，只显示这一次：',
      dryRun: '试运行分流', kind: '类型', topic: '类别', town: '乡镇', caseTitle: '标题', content: '内容',
      runDry: '运行', fired: '命中规则', queued: '人工分流队列',
      duePreview: '示例案件的办理期限', urgency: '紧急程度', start: '起算时间（默认现在）',
      dueAt: '期限', days: '共 {n} 个自然日，其中 {off} 天休息日', daysOff: '期间的休息日',
      tplId: '模板标识（<名称>:<语言>）', tplSubject: '主题', tplBody: '正文', tplSms: '短信（可选）',
      preview: '预览', rendered: '用示例事件渲染', line: '第 {n} 行',
      when: '时间', who: '操作人', what: '操作', collection: '配置项', item: '条目', more: '更早的记录',
      op: { create: '新增', update: '修改', delete: '删除' },
      c: {
        units: '单位', users: '用户', leaders: '领导与分管', topics: '类别', 'routing-rules': '分流规则',
        'deadline-policies': '期限规则', templates: '消息模板', webhooks: 'Webhook 订阅', 'api-keys': 'Open311 密钥',
      },
    },
  },
}
