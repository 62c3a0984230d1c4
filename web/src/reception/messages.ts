// Texts of the reception-day screens (接访), under one key: `reception`.
export default {
  'zh-CN': {
    reception: {
      nav: { public: '领导接访', staff: '接访安排' },
      status: { draft: '草稿', published: '已公布', cancelled: '已取消', closed: '已结束' },
      visit: { booked: '已预约', waitlisted: '候补', cancelled: '已取消', waiting: '候见', received: '接待中', done: '已接待' },
      change: { changed: '变更', stand_in: '补位', cancelled: '取消' },
      field: {
        date: '日期', start: '开始时间', end: '结束时间', place: '地点', leader: '接访领导', units: '陪同单位',
        topics: '接访内容类别', content: '接访内容', capacity: '名额', waitingList: '候补名额', rota: '轮值领导（补位顺序，逗号分隔）',
        name: '姓名', phone: '手机号码', email: '电子邮箱', about: '反映什么问题', reason: '原因', notes: '小结备注',
        from: '从', to: '到', publish: '立即公布', bookingId: '预约号', code: '取消码',
        kind: '诉求类型', topic: '类别', title: '标题', town: '乡镇', complexity: '复杂程度', solved: '当场解决',
        outcome: '办理结果', opinion: '答复意见', existing: '关联已有诉求件编号（不另立案）',
      },
      public: {
        title: '领导接访日程', intro: '县领导定期公开接访，接访领导、陪同单位、时间、地点、内容提前公布（五公开）。',
        empty: '近期没有公布的接访安排。', placesLeft: '剩余名额 {n} 个', waiting: '候补 {n} 人', moved: '因节假日由 {d} 顺延',
        changes: '变更记录', book: '预约', full: '名额与候补均已满',
      },
      book: {
        title: '预约接访', submit: '提交预约', booked: '预约成功', waitlisted: '名额已满，您在候补第 {n} 位，有空位时将通知您。',
        keep: '请保存预约号和取消码，取消预约时需要。', cancelTitle: '取消预约', cancel: '取消预约', cancelled: '预约已取消。',
        required: '请填写此项', contact: '请填写手机号码或电子邮箱',
      },
      staff: {
        title: '接访安排', generate: '按规则生成', generateGo: '生成', generated: '已生成 {n} 场', create: '新增一场接访',
        createGo: '保存', publish: '公布', standIn: '领导补位', cancel: '取消本场', desk: '接访台', booked: '已约 {n}',
        reasonPrompt: '请先填写原因', empty: '没有接访安排。', actions: '操作', status: '状态', session: '场次',
      },
      desk: {
        title: '接访台', visits: '来访群众', checkIn: '签到', receive: '接待', finish: '接待完毕', cancel: '取消预约',
        similar: '与其未办结诉求件相似：', walkIn: '未预约来访登记', walkInGo: '登记候见', matter: '登记诉求',
        matterGo: '登记为诉求件', registered: '已登记诉求件 {id}', close: '结束本场接访', closeGo: '结束并生成小结',
        report: '接访小结：接待 {received} 人，登记 {registered} 件，当场解决 {solved} 件。', none: '暂无来访。',
        general: '一般（一周内办结）', major: '重大（两周内办结）', matters: '诉求件',
      },
    },
  },
  en: {
    reception: {
      nav: { public: 'Reception days', staff: 'Reception days' },
      status: { draft: 'Draft', published: 'Published', cancelled: 'Cancelled', closed: 'Closed' },
      visit: { booked: 'Booked', waitlisted: 'Waiting list', cancelled: 'Cancelled', waiting: 'Waiting', received: 'Being received', done: 'Received' },
      change: { changed: 'Changed', stand_in: 'Stand-in', cancelled: 'Cancelled' },
      field: {
        date: 'Date', start: 'Start', end: 'End', place: 'Place', leader: 'Receiving leader', units: 'Accompanying units',
        topics: 'Topics', content: 'What it is about', capacity: 'Places', waitingList: 'Waiting-list places',
        rota: 'Rota (stand-in order, comma-separated)', name: 'Name', phone: 'Mobile phone', email: 'E-mail',
        about: 'What do you want to raise?', reason: 'Reason', notes: 'Notes', from: 'From', to: 'To',
        publish: 'Publish now', bookingId: 'Booking number', code: 'Cancellation code', kind: 'Kind', topic: 'Topic',
        title: 'Title', town: 'Town', complexity: 'Complexity', solved: 'Solved on the spot', outcome: 'Outcome',
        opinion: 'Answer', existing: 'Link to an open case instead (its number)',
      },
      public: {
        title: 'Reception days', intro: 'County leaders receive citizens in person on published days; the leader, accompanying units, time, place and content are published ahead.',
        empty: 'No reception days are published for the coming days.', placesLeft: '{n} places left', waiting: '{n} on the waiting list',
        moved: 'moved from {d} (holiday)', changes: 'Changes', book: 'Book', full: 'Fully booked, waiting list too',
      },
      book: {
        title: 'Book a reception', submit: 'Book', booked: 'You are booked', waitlisted: 'The session is full; you are number {n} on the waiting list. We will tell you when a place comes free.',
        keep: 'Keep the booking number and the cancellation code: you need them to cancel.', cancelTitle: 'Cancel a booking',
        cancel: 'Cancel booking', cancelled: 'The booking is cancelled.', required: 'Please fill this in', contact: 'Give a mobile phone or an e-mail',
      },
      staff: {
        title: 'Reception days', generate: 'Generate from the rules', generateGo: 'Generate', generated: '{n} sessions generated',
        create: 'Add a session', createGo: 'Save', publish: 'Publish', standIn: 'Stand-in from the rota', cancel: 'Cancel session',
        desk: 'Desk', booked: '{n} booked', reasonPrompt: 'Give the reason first', empty: 'No sessions.', actions: 'Actions',
        status: 'Status', session: 'Session',
      },
      desk: {
        title: 'Reception desk', visits: 'Visitors', checkIn: 'Check in', receive: 'Receive', finish: 'Done', cancel: 'Cancel booking',
        similar: 'Resembles their open case:', walkIn: 'Walk-in without a booking', walkInGo: 'Add to the waiting room',
        matter: 'Register a matter', matterGo: 'Register as a case', registered: 'Case {id} registered', close: 'Close the session',
        closeGo: 'Close and record', report: 'Closed: {received} received, {registered} cases registered, {solved} solved on the spot.',
        none: 'No visitors yet.', general: 'General (within a week)', major: 'Major (within two weeks)', matters: 'Cases',
      },
    },
  },
}
