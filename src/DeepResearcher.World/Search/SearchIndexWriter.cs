using System.Globalization;
using DeepResearcher.World.Pages;
using Microsoft.Data.Sqlite;

namespace DeepResearcher.World.Search;

/// <summary>Writes the SQLite FTS5 index of every indexed page of a site.</summary>
public static class SearchIndexWriter
{
    /// <summary>
    /// Characters of page text the index keeps per page. Search engines index a prefix of long pages; keeping only a prefix also
    /// means a fact buried deep in a page does not leak into snippets, so reading (and paging) is still needed.
    /// </summary>
    public const int IndexedBodyChars = 16_000;

    public static async Task<int> WriteAsync(string dbPath, PageRenderer renderer, IProgress<string>? progress, CancellationToken ct)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = dbPath, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        await using var conn = new SqliteConnection(builder.ToString());
        await conn.OpenAsync(ct).ConfigureAwait(false);
        await ExecAsync(conn, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;", ct).ConfigureAwait(false);
        await ExecAsync(conn,
            "CREATE TABLE pages(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, title TEXT NOT NULL, kind TEXT NOT NULL, entity TEXT);" +
            "CREATE VIRTUAL TABLE docs USING fts5(title, body, tokenize='porter unicode61');" +
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);", ct).ConfigureAwait(false);

        int count = 0;
        await using (var tx = (SqliteTransaction)await conn.BeginTransactionAsync(ct).ConfigureAwait(false))
        {
            await using var insertPage = conn.CreateCommand();
            insertPage.Transaction = tx;
            insertPage.CommandText = "INSERT INTO pages(id, path, title, kind, entity) VALUES ($id, $path, $title, $kind, $entity)";
            var pId = insertPage.Parameters.Add("$id", SqliteType.Integer);
            var pPath = insertPage.Parameters.Add("$path", SqliteType.Text);
            var pTitle = insertPage.Parameters.Add("$title", SqliteType.Text);
            var pKind = insertPage.Parameters.Add("$kind", SqliteType.Text);
            var pEntity = insertPage.Parameters.Add("$entity", SqliteType.Text);
            await using var insertDoc = conn.CreateCommand();
            insertDoc.Transaction = tx;
            insertDoc.CommandText = "INSERT INTO docs(rowid, title, body) VALUES ($id, $title, $body)";
            var dId = insertDoc.Parameters.Add("$id", SqliteType.Integer);
            var dTitle = insertDoc.Parameters.Add("$title", SqliteType.Text);
            var dBody = insertDoc.Parameters.Add("$body", SqliteType.Text);

            var world = renderer.Site.World;
            foreach (var page in renderer.Site.Pages)
            {
                if (!page.Indexed) continue;
                ct.ThrowIfCancellationRequested();
                count++;
                string title = renderer.TitleOf(page);
                string body = Truncate(renderer.IndexText(page), IndexedBodyChars);
                pId.Value = count;
                pPath.Value = page.Path;
                pTitle.Value = title;
                pKind.Value = page.Kind.ToString();
                pEntity.Value = page.Entity >= 0 ? world[page.Entity].Id : DBNull.Value;
                await insertPage.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                dId.Value = count;
                dTitle.Value = title;
                dBody.Value = body;
                await insertDoc.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                if (count % 5000 == 0) progress?.Report(string.Create(CultureInfo.InvariantCulture, $"indexed {count} pages"));
            }
            await using var meta = conn.CreateCommand();
            meta.Transaction = tx;
            meta.CommandText = "INSERT INTO meta(key, value) VALUES ('documents', $n), ('seed', $seed), ('body_chars', $chars)";
            meta.Parameters.AddWithValue("$n", count.ToString(CultureInfo.InvariantCulture));
            meta.Parameters.AddWithValue("$seed", world.Seed.ToString(CultureInfo.InvariantCulture));
            meta.Parameters.AddWithValue("$chars", IndexedBodyChars.ToString(CultureInfo.InvariantCulture));
            await meta.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        await ExecAsync(conn, "INSERT INTO docs(docs) VALUES('optimize');", ct).ConfigureAwait(false);
        await ExecAsync(conn, "VACUUM;", ct).ConfigureAwait(false);
        return count;
    }

    /// <summary>Cuts at the last whitespace before <paramref name="max"/> characters.</summary>
    public static string Truncate(string text, int max)
    {
        if (text.Length <= max) return text;
        int cut = text.LastIndexOfAny([' ', '\n'], max);
        return text[..(cut > 0 ? cut : max)];
    }

    private static async Task ExecAsync(SqliteConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
