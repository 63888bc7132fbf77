using System.CommandLine;
using DeepResearcher.Web.Fetching;

namespace DeepResearcher.Cli.Commands;

/// <summary>The <c>--proxy</c> option of the commands that fetch the real web: none (default), env, or the proxy's URL.</summary>
internal static class ProxyOption
{
    public static Option<string?> Create() => new("--proxy")
    {
        Description = "Proxy of web fetches and search calls: none (default; HTTP_PROXY is ignored), env (http_proxy/https_proxy/no_proxy), or a URL such as http://proxy.corp:3128. The address guard still checks every target; see docs/search-providers.md.",
    };

    public static FetchProxy Parse(string? value)
    {
        try
        {
            return FetchProxy.Parse(value, Environment.GetEnvironmentVariable);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}
