using System.Text.Json;
using System.Text.Json.Nodes;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Runs;

namespace DeepResearcher.Evaluation.Reporting;

/// <summary>
/// What the live training view polls: the metrics.jsonl lines after the client's offset, and the newest GRPO groups
/// with their rollouts (turns, reward, advantage and the loss-mask overlay of each segment). The group and
/// trajectory files are followed incrementally, so a poll reads only what was appended since the last one.
/// </summary>
public sealed class LiveRunFeed(string runDirectory, int groupsShown = 4)
{
    /// <summary>Most bytes of a file read at once; a view opened on a long run starts from its newest lines.</summary>
    public const long MaxCatchUpBytes = 64L << 20;

    /// <summary>Characters of a segment shown in the mask overlay; the run files keep them whole.</summary>
    public const int MaxSegmentChars = 600;

    private readonly RunDirectory _run = new(runDirectory);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<JsonObject> _groups = [];
    private readonly Dictionary<string, JsonObject> _trajectories = new(StringComparer.Ordinal);
    private long _groupsOffset;
    private long _trajectoriesOffset;

    public string Root => _run.Root;

    /// <param name="metricsOffset">The byte offset in metrics.jsonl the client has read up to (0 at first).</param>
    public async Task<JsonObject> PollAsync(long metricsOffset, CancellationToken cancellationToken)
    {
        JsonlTailRead metrics = await JsonlTail.ReadAsync(_run.MetricsPath, metricsOffset, MaxCatchUpBytes, cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            await FollowGroupsAsync(cancellationToken);
            await FollowTrajectoriesAsync(cancellationToken);
            var trajectories = new JsonObject();
            foreach (JsonObject group in _groups)
            {
                foreach (string id in Ids(group))
                {
                    if (_trajectories.TryGetValue(id, out JsonObject? view) && !trajectories.ContainsKey(id))
                    {
                        trajectories[id] = view.DeepClone();
                    }
                }
            }

            return new JsonObject
            {
                ["run"] = Path.GetFileName(_run.Root),
                ["offset"] = metrics.Offset,
                ["restarted"] = metrics.Restarted,
                ["metrics"] = new JsonArray([.. metrics.Lines.Select(ParseObject).OfType<JsonObject>()]),
                ["groups"] = new JsonArray([.. _groups.Select(g => g.DeepClone())]),
                ["trajectories"] = trajectories,
            };
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task FollowGroupsAsync(CancellationToken cancellationToken)
    {
        JsonlTailRead read = await JsonlTail.ReadAsync(_run.GroupsPath, _groupsOffset, MaxCatchUpBytes, cancellationToken);
        if (read.Restarted)
        {
            _groups.Clear();
        }

        _groupsOffset = read.Offset;
        foreach (string line in read.Lines)
        {
            if (ParseObject(line) is JsonObject group)
            {
                _groups.Add(group);
            }
        }

        if (_groups.Count > groupsShown)
        {
            _groups.RemoveRange(0, _groups.Count - groupsShown);
        }
    }

    private async Task FollowTrajectoriesAsync(CancellationToken cancellationToken)
    {
        JsonlTailRead read = await JsonlTail.ReadAsync(_run.TrajectoriesPath, _trajectoriesOffset, MaxCatchUpBytes, cancellationToken);
        if (read.Restarted)
        {
            _trajectories.Clear();
        }

        _trajectoriesOffset = read.Offset;
        // A group's line is written before its rollouts', so every rollout read here belongs to a group already read.
        var wanted = new HashSet<string>(_groups.SelectMany(Ids), StringComparer.Ordinal);
        foreach (string line in read.Lines)
        {
            Trajectory trajectory;
            try
            {
                trajectory = TrajectoryJson.Deserialize(line);
            }
            catch (JsonException)
            {
                continue;
            }

            if (wanted.Contains(trajectory.Id))
            {
                JsonObject view = ViewerData.Trajectory(trajectory);
                view["segments"] = new JsonArray([.. trajectory.Segments.Select(Segment)]);
                _trajectories[trajectory.Id] = view;
            }
        }

        foreach (string stale in _trajectories.Keys.Where(id => !wanted.Contains(id)).ToList())
        {
            _trajectories.Remove(stale);
        }
    }

    private static JsonObject Segment(TrajectorySegment segment) => new()
    {
        ["kind"] = segment.Kind.ToString().ToLowerInvariant(),
        ["trained"] = segment.Mask == 1,
        ["turn"] = segment.Turn,
        ["text"] = segment.Text.Length > MaxSegmentChars ? segment.Text[..MaxSegmentChars] + $" … ({segment.Text.Length - MaxSegmentChars} more characters)" : segment.Text,
    };

    private static IEnumerable<string> Ids(JsonObject group)
        => group["trajectory_ids"] is JsonArray ids
            ? ids.Where(id => id?.GetValueKind() == JsonValueKind.String).Select(id => id!.GetValue<string>())
            : [];

    private static JsonObject? ParseObject(string line)
    {
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
