namespace DeepResearcher.Web.Tests.Caching;

/// <summary>
/// Where the PostgreSQL tests find their server: env DEEPRESEARCHER_TEST_POSTGRES, as printed by scripts/postgres-test-server.sh.
/// Without it the tests are skipped (visibly, naming the script) on a developer machine, and fail under CI=true so a CI run can
/// never pass without having exercised PostgreSQL.
/// </summary>
internal static class PostgresTestServer
{
    public const string Variable = "DEEPRESEARCHER_TEST_POSTGRES";

    public static string ConnectionString()
    {
        string? connectionString = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return connectionString;
        }

        string message = $"{Variable} is not set. Start a throwaway PostgreSQL with: export {Variable}=\"$(scripts/postgres-test-server.sh start)\" " +
            "(and stop it afterwards with scripts/postgres-test-server.sh stop)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail("CI=true, so the PostgreSQL tests must run, but " + message);
        }

        Assert.Skip(message);
        return string.Empty;
    }

    /// <summary>A table of its own per test, so tests (and concurrent test runs) never see each other's entries.</summary>
    public static string UniqueTable() => "tool_cache_test_" + Guid.NewGuid().ToString("N")[..16];
}
