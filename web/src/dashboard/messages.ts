// The dashboard's texts, zh-CN and English.
export default {
  en: {
    dashboard: {
      title: 'Dashboard', quarter: 'Quarter', print: 'Print', figures: 'Key figures', received: 'Cases received',
      overdueOpen: '{n} open and overdue', completion: 'Completion rate', onTime: 'On-time rate', on_time: 'On-time rate',
      satisfaction: 'Satisfaction rate', ofCases: '{n} of {d}', trend: 'Weekly trend', week: 'Week of', asTable: 'Show as a table',
      group: 'Group', rate: 'Rate', fraction: 'Numerator/denominator', cases: 'Cases', openCases: 'Open the cases',
      measure: 'Measure', byUnit: 'By unit', byTopic: 'By topic', byTown: 'By town', noData: 'No cases in this period.',
      alerts: 'Alerts', ack: 'Acknowledge', none: 'None.', hot: 'What people are writing about (last ten days)',
      hotTopics: 'Hot topics', rising: 'Rising topics', awaiting: "Cases awaiting the leader's instructions", due: 'due',
      instruction: 'Instruction (批示)', sendInstruction: 'Give the instruction', instructed: 'Instruction recorded.',
      assessment: 'Unit assessment', rank: 'Rank', unit: 'Unit', score: 'Score', flagged: 'below the line',
      ded: { overdue: 'Overdue', dissatisfied: 'Dissatisfied', returned: 'Returned', reopened: 'Reopened', reply_rejected: 'Reply rejected', extension: 'Extensions' },
      reports: 'Reports', bulletin: 'Quarterly bulletin', digest: 'Ten-day digest',
    },
  },
  'zh-CN': {
    dashboard: {
      title: '领导驾驶舱', quarter: '季度', print: '打印', figures: '主要指标', received: '受理件数',
      overdueOpen: '在办超期 {n} 件', completion: '办结率', onTime: '按时办结率', on_time: '按时办结率',
      satisfaction: '满意率', ofCases: '{n} / {d}', trend: '按周趋势', week: '周起始', asTable: '以表格查看',
      group: '分组', rate: '比率', fraction: '分子/分母', cases: '案件', openCases: '查看案件',
      measure: '指标', byUnit: '按单位', byTopic: '按类别', byTown: '按乡镇', noData: '本期无案件。',
      alerts: '预警', ack: '确认', none: '无。', hot: '群众关注（近十日）',
      hotTopics: '热点问题', rising: '上升问题', awaiting: '待领导批示的案件', due: '期限',
      instruction: '批示意见', sendInstruction: '批示', instructed: '批示已记录。',
      assessment: '单位考核', rank: '名次', unit: '单位', score: '得分', flagged: '低于警戒线',
      ded: { overdue: '超期', dissatisfied: '不满意', returned: '退单', reopened: '重办', reply_rejected: '答复被退回', extension: '延期' },
      reports: '报表', bulletin: '季度通报', digest: '十日汇总',
    },
  },
}
