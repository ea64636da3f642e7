/** Table shapes for Kysely's query builder, shared by both stores (times are epoch ms). */
export interface LeadsTable {
  id: number;
  pool_id: number;
  status: string;
  company: string;
  industry: string;
  company_size: string;
  source: string;
  score: number;
  region: string;
  contact_name: string;
  contact_email: string | null;
  contact_phone: string | null;
  external_id: string | null;
  attributes: string;
  priority: number;
  created_at: number;
  available_since: number;
  owner_id: number | null;
  claimed_at: number | null;
  claim_source: string | null;
  lock_expires_at: number | null;
  contacted_at: number | null;
  closed_at: number | null;
  updated_at: number;
}

export interface Database {
  leads: LeadsTable;
  lead_company_fts: { rowid: number; company: string };
}
