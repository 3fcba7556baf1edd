//! "Opnieuw verbinden": a profile whose platform said its token expired or was revoked
//! (Meta code 190, LinkedIn 401) is marked until an admin gives it new credentials.

use crate::{on_pool, Result, Store};

impl Store {
    /// Marks (or clears) a profile as needing new credentials.
    pub async fn set_needs_reconnect(&self, profile_id: &str, needs: bool) -> Result<()> {
        on_pool!(&self.write, pool => {
            sqlx::query("UPDATE profiles SET needs_reconnect = $1 WHERE id = $2")
                .bind(i64::from(needs)).bind(profile_id).execute(pool).await?;
        });
        Ok(())
    }

    /// (profile id, platform) of every profile needing new credentials, in one workspace
    /// or (`None`) in all.
    pub async fn profiles_needing_reconnect(&self, workspace_id: Option<&str>) -> Result<Vec<(String, String)>> {
        on_pool!(&self.read, pool => {
            Ok(sqlx::query_as::<_, (String, String)>(
                "SELECT id, platform FROM profiles WHERE needs_reconnect <> 0 AND ($1 IS NULL OR workspace_id = $1) ORDER BY id")
                .bind(workspace_id).fetch_all(pool).await?)
        })
    }
}
