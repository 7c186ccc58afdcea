/**
 * Row shapes and row → record conversions the SQLite and PostgreSQL stores share. Where the
 * engines differ (SQLite keeps JSON as text, PostgreSQL as jsonb), the caller says how to decode.
 */
import type { AttachmentInfo, HandoffRecord, HandoffStatus } from './store.js';

export interface AttachmentInfoRow {
  id: string;
  conversation_id: string;
  name: string;
  content_type: string;
  size: number;
  at: string;
  uploaded_by: string;
}

export interface AttachmentRow extends AttachmentInfoRow {
  bytes: Buffer;
}

/** The columns of an attachment but its bytes (listings never read those). */
export const ATTACHMENT_INFO_COLUMNS = 'id, conversation_id, name, content_type, size, at, uploaded_by';

export function attachmentInfoFrom(row: AttachmentInfoRow): AttachmentInfo {
  return {
    id: row.id,
    conversationId: row.conversation_id,
    name: row.name,
    contentType: row.content_type,
    size: row.size,
    at: row.at,
    uploadedBy: row.uploaded_by,
  };
}

/** A hand-over row; `J` is how the engine returns a JSON column (text or already parsed). */
export interface HandoffRow<J> {
  conversation_id: string;
  status: string;
  reason: string;
  channel_id: string;
  queued_at: string;
  taken_at: string | null;
  agent: string | null;
  ended_at: string | null;
  summary: J;
  reference: J | null;
  version: number;
}

/** The columns of a hand-over but its internal change order. */
export const HANDOFF_COLUMNS = 'conversation_id, status, reason, channel_id, queued_at, taken_at, agent, ended_at, summary, reference, version';

/** The rows ahead of (or level with) the queued hand-over `me`, for its 1-based place in the queue. */
export const AHEAD_IN_QUEUE = `q.status = 'queued' AND (q.queued_at < me.queued_at OR (q.queued_at = me.queued_at AND q.conversation_id <= me.conversation_id))`;

export function handoffFrom<J>(row: HandoffRow<J>, decode: (json: J) => Record<string, unknown>): HandoffRecord {
  return {
    conversationId: row.conversation_id,
    status: row.status as HandoffStatus,
    reason: row.reason,
    channelId: row.channel_id,
    queuedAt: row.queued_at,
    takenAt: row.taken_at,
    agent: row.agent,
    endedAt: row.ended_at,
    summary: decode(row.summary),
    reference: row.reference === null ? null : decode(row.reference),
    version: row.version,
  };
}

export interface AgentRow {
  name: string;
  display_name: string;
  created_at: string;
  removed_at: string | null;
}
