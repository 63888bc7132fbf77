namespace DeepResearcher.Testing;

/// <summary>One scripted HTTP answer of <see cref="RecordingHttpServer"/>: a status, an HTML body and an optional redirect target.</summary>
public sealed record HttpReply(int Status, string Body, string? Location = null)
{
    public static HttpReply Page(string body) => new(200, body);

    public static HttpReply Redirect(string location) => new(302, string.Empty, location);
}
