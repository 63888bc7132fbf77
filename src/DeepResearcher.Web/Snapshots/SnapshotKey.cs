using System.Security.Cryptography;
using System.Text;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;

namespace DeepResearcher.Web.Snapshots;

/// <summary>
/// The key of a recorded call: the question, the tool, the executed queries or URLs, and how many times this same
/// call was made before in the trajectory (a repeated browse resumes reading, so its answer differs). It does not
/// depend on the trajectory's random id, so a second run of the same questions finds the recording.
/// </summary>
public static class SnapshotKey
{
    public static string For(ToolCall call, ToolContext context, int occurrence)
    {
        string items = string.Join("\u001f", call.Name == ResearchTools.WebSearchName ? call.Queries : call.Urls);
        string text = $"v1\u001e{context.Question}\u001e{call.Name}\u001e{items}\u001e{occurrence}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>The occurrence-free part, to count repeats of the same call within a trajectory.</summary>
    internal static string CallIdentity(ToolCall call, ToolContext context)
        => context.TrajectoryId + "\u001e" + For(call, context, 0);
}
