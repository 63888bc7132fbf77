using DeepResearcher.World.Building;
using DeepResearcher.World.Generation;
using DeepResearcher.World.Questions;
using DeepResearcher.World.Storage;

[assembly: AssemblyFixture(typeof(DeepResearcher.World.Tests.TinyWorld))]

namespace DeepResearcher.World.Tests;

/// <summary>One tiny world built once per test run and shared by the tests that only read it.</summary>
public sealed class TinyWorld : IAsyncLifetime
{
    public const ulong Seed = 20_251_121;

    private WorldDirectory? _directory;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "world-tests-" + Guid.NewGuid().ToString("N")[..8], "tiny");

    public WorldManifest Manifest { get; private set; } = null!;

    public WorldDirectory Directory => _directory ?? throw new InvalidOperationException("fixture not initialised");

    public Dictionary<QuestionSplit, IReadOnlyList<WorldQuestion>> Questions { get; } = [];

    public IEnumerable<WorldQuestion> AllQuestions => Questions.Values.SelectMany(q => q);

    public async ValueTask InitializeAsync()
    {
        Manifest = await WorldBuilder.BuildAsync(new WorldBuildOptions { OutDir = Root, Seed = Seed, Size = WorldSize.Tiny }, null, CancellationToken.None);
        _directory = await WorldDirectory.OpenAsync(Root, verifyHashes: true, CancellationToken.None);
        foreach (var split in Enum.GetValues<QuestionSplit>())
        {
            Questions[split] = await _directory.ReadQuestionsAsync(split, CancellationToken.None);
        }
    }

    public ValueTask DisposeAsync()
    {
        _directory?.Dispose();
        TestDirectories.Delete(Path.GetDirectoryName(Root)!);
        return ValueTask.CompletedTask;
    }
}
