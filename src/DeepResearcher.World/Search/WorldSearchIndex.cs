using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace DeepResearcher.World.Search;

/// <summary>
/// Read-only BM25 search over a world's FTS5 index. Thread-safe: each concurrent caller borrows its own connection with a
/// prepared statement.
/// </summary>
public sealed class WorldSearchIndex : IDisposable
{
    /// <summary>Title matches count this many times more than body matches.</summary>
    public const double TitleWeight = 10.0;

    public const int MaxResults = 100;

    /// <summary>Terms in more than this share of documents are left out of the query when rarer terms exist.</summary>
    public const double CommonTermFraction = 0.04;

    /// <summary>The rarest terms kept even when they are common.</summary>
    public const int MinTerms = 1;

    private readonly string _connectionString;
    private readonly ConcurrentBag<Session> _idle = [];
    private readonly ConcurrentBag<Session> _all = [];
    private readonly ConcurrentDictionary<string, int> _documentFrequency = new(StringComparer.Ordinal);
    private bool _disposed;

    private WorldSearchIndex(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
        var first = Rent();
        try
        {
            using var cmd = first.Connection.CreateCommand();
            cmd.CommandText = "SELECT count(*) FROM pages";
            DocumentCount = Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            Return(first);
        }
    }

    public string Path { get; }

    public int DocumentCount { get; }

    /// <summary>Opens an index file written by the world builder. Throws <see cref="InvalidDataException"/> naming the file if it is not one.</summary>
    public static WorldSearchIndex Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Search index '{path}' does not exist. Rebuild the world with 'deepresearcher world build'.", path);
        try
        {
            return new WorldSearchIndex(path);
        }
        catch (SqliteException ex)
        {
            throw new InvalidDataException($"Search index '{path}' is not a valid world index ({ex.Message}). Rebuild the world with 'deepresearcher world build'.", ex);
        }
    }

    /// <summary>Top <paramref name="k"/> pages for a free-text query, best first. Any text is accepted; an empty query gives no results.</summary>
    public IReadOnlyList<WorldIndexHit> Search(string query, int k = 10)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var terms = FtsQuery.Terms(query);
        if (terms.Count == 0 || k <= 0) return [];
        k = Math.Min(k, MaxResults);
        var session = Rent();
        try
        {
            string match = FtsQuery.Or(Discriminative(session, terms))!;
            session.Match.Value = match;
            session.Limit.Value = k;
            var ids = new List<long>(k);
            using (var reader = session.Rank.ExecuteReader())
            {
                while (reader.Read()) ids.Add(reader.GetInt64(0));
            }
            var results = new List<WorldIndexHit>(ids.Count);
            session.DetailMatch.Value = match;
            foreach (long id in ids)
            {
                session.Id.Value = id;
                using var reader = session.Detail.ExecuteReader();
                if (reader.Read()) results.Add(new WorldIndexHit(reader.GetString(0), reader.GetString(1), OneLine(reader.GetString(2))));
            }
            return results;
        }
        finally
        {
            Return(session);
        }
    }

    /// <summary>
    /// Drops terms that occur in more than <see cref="CommonTermFraction"/> of documents ("born", "city") while rarer terms remain.
    /// BM25 gives such terms little weight anyway, but OR-ing them in forces a scan of thousands of postings per query.
    /// </summary>
    private List<string> Discriminative(Session session, IReadOnlyList<string> terms)
    {
        var withDf = new List<(string Term, int Df)>(terms.Count);
        foreach (var t in terms) withDf.Add((t, DocumentFrequency(session, t)));
        withDf.Sort((a, b) => a.Df != b.Df ? a.Df.CompareTo(b.Df) : string.CompareOrdinal(a.Term, b.Term));
        int limit = Math.Max(50, (int)(DocumentCount * CommonTermFraction));
        var kept = new List<string>(terms.Count);
        foreach (var (term, df) in withDf)
        {
            if (df == 0) continue;
            if (df <= limit || kept.Count < MinTerms) kept.Add(term);
        }
        if (kept.Count == 0) kept.Add(withDf[0].Term);
        return kept;
    }

    private int DocumentFrequency(Session session, string term)
    {
        if (_documentFrequency.TryGetValue(term, out int df)) return df;
        session.Term.Value = "\"" + term + "\"";
        df = Convert.ToInt32(session.Count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (_documentFrequency.Count < 1_000_000) _documentFrequency.TryAdd(term, df);
        return df;
    }

    /// <summary>Snippets span infobox rows and paragraphs; result lists show them on one line, as web search engines do.</summary>
    private static string OneLine(string snippet)
    {
        if (snippet.AsSpan().IndexOfAny('\n', '\r') < 0) return snippet.Trim();
        var sb = new System.Text.StringBuilder(snippet.Length);
        bool space = false;
        foreach (char c in snippet)
        {
            if (char.IsWhiteSpace(c))
            {
                space = sb.Length > 0;
                continue;
            }
            if (space) sb.Append(' ');
            space = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var s in _all) s.Dispose();
    }

    private Session Rent()
    {
        if (_idle.TryTake(out var s)) return s;
        var conn = new SqliteConnection(_connectionString);
        try
        {
            s = CreateSession(conn);
        }
        catch
        {
            conn.Dispose();
            throw;
        }
        _all.Add(s);
        return s;
    }

    private static Session CreateSession(SqliteConnection conn)
    {
        conn.Open();
        // Rank first, then build snippets for the top k only: snippet() re-tokenises a whole document, and computing it for
        // every match before the sort makes queries with common words an order of magnitude slower.
        var rank = conn.CreateCommand();
        rank.CommandText = "SELECT rowid FROM docs WHERE docs MATCH $match ORDER BY bm25(docs, " +
            TitleWeight.ToString(System.Globalization.CultureInfo.InvariantCulture) + ", 1.0) LIMIT $k";
        var match = rank.Parameters.Add("$match", SqliteType.Text);
        var limit = rank.Parameters.Add("$k", SqliteType.Integer);
        match.Value = "";
        limit.Value = 10;
        rank.Prepare();
        var detail = conn.CreateCommand();
        detail.CommandText = "SELECT p.title, p.path, snippet(docs, 1, '', '', ' … ', 28) FROM docs JOIN pages p ON p.id = docs.rowid " +
            "WHERE docs MATCH $match AND docs.rowid = $id";
        var detailMatch = detail.Parameters.Add("$match", SqliteType.Text);
        var id = detail.Parameters.Add("$id", SqliteType.Integer);
        detailMatch.Value = "";
        id.Value = 0;
        detail.Prepare();
        var count = conn.CreateCommand();
        count.CommandText = "SELECT count(*) FROM docs WHERE docs MATCH $term";
        var term = count.Parameters.Add("$term", SqliteType.Text);
        term.Value = "";
        count.Prepare();
        return new Session(conn, rank, match, limit, detail, detailMatch, id, count, term);
    }

    private void Return(Session s)
    {
        if (_disposed) s.Dispose();
        else _idle.Add(s);
    }

    private sealed record Session(
        SqliteConnection Connection, SqliteCommand Rank, SqliteParameter Match, SqliteParameter Limit,
        SqliteCommand Detail, SqliteParameter DetailMatch, SqliteParameter Id, SqliteCommand Count, SqliteParameter Term) : IDisposable
    {
        public void Dispose()
        {
            Rank.Dispose();
            Detail.Dispose();
            Count.Dispose();
            Connection.Dispose();
        }
    }
}
