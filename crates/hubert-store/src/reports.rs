//! Raw figures for service-level reports. The scoring itself is `hubert_core::sla`.

use hubert_core::sla::ResponseRecord;

use crate::{on_pool, Result, Store};

impl Store {
    /// Customer messages of a profile (or all profiles) received in `[from, to)`.
    pub async fn response_records(
        &self,
        workspace_id: &str,
        profile_id: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<ResponseRecord>> {
        let rows: Vec<(i64, Option<i64>, i64, Option<i64>)> = on_pool!(&self.read, pool => {
            sqlx::query_as("SELECT created_at, response_ms, no_reply_needed, business_response_ms FROM messages \
                            WHERE workspace_id = $1 AND ($2 IS NULL OR profile_id = $2) AND direction = 'in' AND created_at >= $3 AND created_at < $4 \
                            ORDER BY created_at")
                .bind(workspace_id).bind(profile_id).bind(from).bind(to).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(received_at, response_ms, nrn, business)| ResponseRecord {
                received_at,
                response_ms,
                business_response_ms: business,
                no_reply_needed: nrn != 0,
            })
            .collect())
    }
}
