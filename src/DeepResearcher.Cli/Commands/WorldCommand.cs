using System.CommandLine;
using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Serving;
using DeepResearcher.World.Storage;

namespace DeepResearcher.Cli.Commands;

/// <summary><c>deepresearcher world …</c>: the offline research world.</summary>
internal static class WorldCommand
{
    public static Command Create()
    {
        var world = new Command("world", "The offline research world: a generated web with pages, a local search engine and questions.");
        world.Subcommands.Add(CreateBuild());
        world.Subcommands.Add(CreateServe());
        world.Subcommands.Add(WorldDemoCommand.Create());
        return world;
    }

    private static Command CreateBuild()
    {
        var outDir = new Option<DirectoryInfo>("--out") { Description = "Directory to write the world to (written atomically).", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the world; the same seed and size give a byte-identical world.", DefaultValueFactory = _ => 42 };
        var size = new Option<string>("--size") { Description = "tiny (≈200 entities), small (≈2k, the default), default (≈10k) or large (≥100k).", DefaultValueFactory = _ => "small" };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing world in that directory." };
        var command = new Command("build", "Generate a world: pages, the FTS5 search index, question splits and a manifest.") { outDir, seed, size, overwrite };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            WorldSize worldSize = ParseSize(parse.GetRequiredValue(size));
            WorldManifest manifest;
            try
            {
                manifest = await WorldBuilder.BuildAsync(
                    new WorldBuildOptions { OutDir = parse.GetRequiredValue(outDir).FullName, Seed = parse.GetValue(seed), Size = worldSize, Overwrite = parse.GetValue(overwrite) },
                    ProgressConsole.For(parse),
                    cancellationToken);
            }
            catch (WorldExistsException ex)
            {
                throw new UsageException($"world directory '{ex.Directory}' already exists; add --overwrite to replace it, or choose another --out");
            }

            await output.WriteLineAsync($"world written to {parse.GetRequiredValue(outDir).FullName}");
            await output.WriteLineAsync($"seed {manifest.Seed}, size {manifest.Size}, generator {manifest.GeneratorVersion}, content hash {manifest.ContentHash}");
            await output.WriteLineAsync(manifest.Statistics.ToString());
            return 0;
        }));
        return command;
    }

    private static Command CreateServe()
    {
        var dir = new Argument<DirectoryInfo>("dir") { Description = "A world directory made by 'world build'." };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 8080 };
        var publicBase = new Option<string?>("--public-base")
        {
            Description = $"Where the links of POST /search answers point: default {WorldOrigin.Name} (the world's virtual origin, the URLs a trained policy knows; the toolbox maps it to the server), 'self' for this server's own address (links curl can open), or a URL such as a proxy's.",
        };
        var command = new Command("serve", "Serve a world's pages and its Serper-compatible search endpoint over HTTP on loopback until Ctrl+C.") { dir, port, publicBase };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(parse.InvocationConfiguration.Error, async () =>
        {
            using WorldDirectory world = await WorldDirectory.OpenAsync(parse.GetRequiredValue(dir).FullName, verifyHashes: true, cancellationToken);
            Uri? links = parse.GetValue(publicBase) switch
            {
                null => WorldOrigin.Uri,
                "self" => null,
                string text => OptionUrl.Parse("--public-base", text),
            };
            RunningWorldServer server;
            try
            {
                server = await WorldWebServer.StartAsync(world, parse.GetValue(port), links, cancellationToken);
            }
            catch (PortInUseException ex)
            {
                throw new UsageException($"port {ex.Port} on 127.0.0.1 is already in use; choose another with --port N, or --port 0 to pick a free one");
            }

            await using RunningWorldServer _ = server;
            TextWriter output = parse.InvocationConfiguration.Output;
            return await ServerConsole.RunUntilCancelledAsync(output, $"serving {world.Root} at {server.BaseUrl}/ (search: POST {server.BaseUrl}/search with {{\"q\": …}} and any X-API-KEY; its links point to {(links is null ? server.BaseUrl : links.GetLeftPart(UriPartial.Path).TrimEnd('/'))}/…)", cancellationToken);
        }));
        return command;
    }

    internal static WorldSize ParseSize(string text)
    {
        try
        {
            return WorldSizes.Parse(text);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException($"--size '{text}': {CommandErrors.MessageOf(ex)}");
        }
    }
}
