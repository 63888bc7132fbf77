using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Pages;
using DeepResearcher.World.Serving;

namespace DeepResearcher.World.Tests;

public sealed class ServerTests(TinyWorld tiny)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ServesPagesRedirectsMissingPagesAndErrors()
    {
        await using var server = await WorldWebServer.StartAsync(tiny.Directory, 0, Ct);
        Assert.StartsWith("http://127.0.0.1:", server.BaseUrl, StringComparison.Ordinal);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseUri };
        var world = tiny.Directory.World;
        var person = world.Entities.First(e => e.Type == EntityType.Person && !e.Slow);

        using (var home = await client.GetAsync("/", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            Assert.Equal("text/html", home.Content.Headers.ContentType?.MediaType);
        }
        string html = await client.GetStringAsync(WorldSite.ArticlePath(person), Ct);
        Assert.Contains("<h1>" + person.Name + "</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<main", html, StringComparison.Ordinal);
        Assert.Contains("cookie", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("class=\"infobox\"", html, StringComparison.Ordinal);
        Assert.Contains("<footer", html, StringComparison.Ordinal);

        string results = await client.GetStringAsync("/search?q=" + Uri.EscapeDataString(person.Name), Ct);
        Assert.Contains("href=\"" + WorldSite.ArticlePath(person) + "\"", results, StringComparison.Ordinal);
        using (var missing = await client.GetAsync("/wiki/No_Such_Page_Anywhere", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }
        using (var redirect = await client.GetAsync(WorldSite.EntityIdPath(person), Ct))
        {
            Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
            Assert.Equal(WorldSite.ArticlePath(person), redirect.Headers.Location?.OriginalString);
        }
        var aliased = world.Entities.First(e => e.Aliases.Count > 0 && !e.Slow);
        using (var following = new HttpClient { BaseAddress = server.BaseUri })
        {
            using var followed = await following.GetAsync("/wiki/" + WorldGenerator.SlugOf(aliased.Aliases[0]), Ct);
            Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
            Assert.Equal(WorldSite.ArticlePath(aliased), followed.RequestMessage!.RequestUri!.AbsolutePath);
        }
        var failing = world.Entities.First(e => e.Mirror == MirrorState.ServerError);
        using (var error = await client.GetAsync("/mirror" + WorldSite.ArticlePath(failing), Ct))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        }
        var gone = world.Entities.First(e => e.Mirror == MirrorState.Gone);
        using (var removed = await client.GetAsync("/mirror" + WorldSite.ArticlePath(gone), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, removed.StatusCode);
        }
        var ok = world.Entities.First(e => e.Mirror == MirrorState.Ok);
        using (var mirror = await client.GetAsync("/mirror" + WorldSite.ArticlePath(ok), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, mirror.StatusCode);
        }
    }

    [Fact]
    public async Task SlowPagesAnswerAfterTheConfiguredDelay()
    {
        var slow = tiny.Directory.World.Entities.FirstOrDefault(e => e.Slow);
        Assert.NotNull(slow);
        await using var server = await WorldWebServer.StartAsync(tiny.Directory, 0, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseUri };
        var clock = Stopwatch.StartNew();
        using var response = await client.GetAsync(WorldSite.ArticlePath(slow), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(clock.ElapsedMilliseconds >= tiny.Manifest.Shares.SlowPageDelayMs - 20, $"answered after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task LongPagesServeTheDeepFactBeyondTheFirstSegment()
    {
        var deep = tiny.Directory.World.Entities.First(e => e.IsLongPage && !e.Slow);
        await using var server = await WorldWebServer.StartAsync(tiny.Directory, 0, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseUri };
        string text = HtmlText.Extract(await client.GetStringAsync(WorldSite.ArticlePath(deep), Ct));
        string value = deep.FindFact(deep.DeepRelation!)!.Value;
        Assert.True(text.IndexOf(value, StringComparison.Ordinal) > Questions.QuestionGenerator.SegmentChars);
    }

    [Fact]
    public async Task SerperEndpointSpeaksTheWireFormat()
    {
        await using var server = await WorldWebServer.StartAsync(tiny.Directory, 0, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseUri };
        var target = tiny.Directory.World.Entities.First(e => e.Type == EntityType.City);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/search")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { q = target.Name, num = 5, gl = "us", hl = "en" }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-API-KEY", "anything");
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        var root = doc.RootElement;
        Assert.Equal(target.Name, root.GetProperty("searchParameters").GetProperty("q").GetString());
        Assert.Equal(5, root.GetProperty("searchParameters").GetProperty("num").GetInt32());
        var organic = root.GetProperty("organic");
        Assert.InRange(organic.GetArrayLength(), 1, 5);
        int position = 1;
        foreach (var hit in organic.EnumerateArray())
        {
            Assert.False(string.IsNullOrEmpty(hit.GetProperty("title").GetString()));
            Assert.False(string.IsNullOrEmpty(hit.GetProperty("snippet").GetString()));
            Assert.Equal(position++, hit.GetProperty("position").GetInt32());
            string link = hit.GetProperty("link").GetString()!;
            Assert.StartsWith(WorldOrigin.Name + "/", link, StringComparison.Ordinal);
            Assert.DoesNotContain(server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), link, StringComparison.Ordinal);
        }
        Assert.Equal(WorldOrigin.Name + WorldSite.ArticlePath(target), organic[0].GetProperty("link").GetString());
        // The link's path really resolves on the server.
        using var page = await client.GetAsync(new Uri(organic[0].GetProperty("link").GetString()!).PathAndQuery, Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task SearchLinksCanPointToTheServerItselfOrAnotherBase()
    {
        await using var self = await WorldWebServer.StartAsync(tiny.Directory, 0, null, Ct);
        await using var proxied = await WorldWebServer.StartAsync(tiny.Directory, 0, new Uri("https://proxy.example/world/"), Ct);
        var target = tiny.Directory.World.Entities.First(e => e.Type == EntityType.City);

        async Task<string> FirstLinkAsync(RunningWorldServer server)
        {
            using var client = new HttpClient { BaseAddress = server.BaseUri };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/search") { Content = new StringContent(JsonSerializer.Serialize(new { q = target.Name }), Encoding.UTF8, "application/json") };
            request.Headers.Add("X-API-KEY", "k");
            using var response = await client.SendAsync(request, Ct);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
            return doc.RootElement.GetProperty("organic")[0].GetProperty("link").GetString()!;
        }

        Assert.Equal(self.BaseUrl + WorldSite.ArticlePath(target), await FirstLinkAsync(self));
        Assert.Equal("https://proxy.example/world" + WorldSite.ArticlePath(target), await FirstLinkAsync(proxied));
    }

    [Fact]
    public async Task SerperEndpointRejectsMissingKeyAndBadBodies()
    {
        await using var server = await WorldWebServer.StartAsync(tiny.Directory, 0, Ct);
        using var client = new HttpClient { BaseAddress = server.BaseUri };
        using (var noKey = await client.PostAsJsonAsync("/search", new { q = "anything" }, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, noKey.StatusCode);
            Assert.Equal("application/json", noKey.Content.Headers.ContentType?.MediaType);
            using var body = JsonDocument.Parse(await noKey.Content.ReadAsStringAsync(Ct));
            Assert.Equal(403, body.RootElement.GetProperty("statusCode").GetInt32());
            Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("message").GetString()));
        }
        using var bad = new HttpRequestMessage(HttpMethod.Post, "/search") { Content = new StringContent("{not json", Encoding.UTF8, "application/json") };
        bad.Headers.Add("X-API-KEY", "k");
        using (var response = await client.SendAsync(bad, Ct))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        using var weird = new HttpRequestMessage(HttpMethod.Post, "/search") { Content = new StringContent("{\"q\":\"\\\"AND ( NEAR *\"}", Encoding.UTF8, "application/json") };
        weird.Headers.Add("X-API-KEY", "k");
        using (var response = await client.SendAsync(weird, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task PortInUseGivesAClearError()
    {
        using var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        int port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        var ex = await Assert.ThrowsAsync<PortInUseException>(() => WorldWebServer.StartAsync(tiny.Directory, port, Ct));
        Assert.Contains("already in use", ex.Message, StringComparison.Ordinal);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }
}
