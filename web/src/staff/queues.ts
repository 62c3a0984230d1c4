// Each role's queue on /staff, as list filters of GET /api/v1/cases (services/intake/queries.py):
// the API applies the scope (a unit sees its own cases), the page orders by time left.
export interface QueueDef {
  key: string
  query: Record<string, string>
}

export const QUEUES: Record<string, QueueDef[]> = {
  clerk: [{ key: 'clerk.received', query: { status: 'received', sort: '-received_at' } }],
  dispatcher: [
    { key: 'dispatcher.manual', query: { status: 'received', sort: 'received_at' } },
    { key: 'dispatcher.returns', query: { status: 'return_requested', sort: 'due_at' } },
  ],
  handler: [
    { key: 'handler.claim', query: { status: 'assigned', sort: 'due_at' } },
    { key: 'handler.answer', query: { status: 'in_progress', sort: 'due_at' } },
  ],
  unit_leader: [
    { key: 'unit_leader.sign', query: { status: 'in_progress', sort: 'due_at' } },
    { key: 'unit_leader.claim', query: { status: 'assigned', sort: 'due_at' } },
  ],
  supervisor: [
    { key: 'supervisor.review', query: { status: 'replied', sort: 'due_at' } },
    { key: 'supervisor.visit', query: { status: 'answered', sort: 'received_at' } },
    { key: 'supervisor.extension', query: { status: 'in_progress', sort: 'due_at' } },
    { key: 'supervisor.appeal', query: { status: 'closed', flag: 'final_dissatisfied', sort: '-received_at' } },
  ],
  leader: [
    { key: 'leader.instructions', query: { flag: 'leader_led', status: 'assigned,in_progress,replied,return_requested', sort: 'due_at' } },
    { key: 'leader.raised', query: { flag: 'final_dissatisfied', sort: '-received_at' } },
  ],
  admin: [{ key: 'admin.all', query: { sort: '-received_at' } }],
}
