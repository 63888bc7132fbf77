namespace DeepResearcher.Cli.Commands;

/// <summary>Reads an endpoint option: an absolute http(s) URL, or a usage error naming the option.</summary>
internal static class OptionUrl
{
    public static Uri Parse(string option, string value)
        => Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new UsageException($"{option} '{value}' is not an absolute http(s) URL; give the API base, e.g. http://127.0.0.1:8000/v1");
}
