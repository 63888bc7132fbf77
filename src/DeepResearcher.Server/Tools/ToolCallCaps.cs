using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;

namespace DeepResearcher.Server.Tools;

/// <summary>The per-call caps of <see cref="ToolServerOptions"/>: what a call may hold before any tool runs.</summary>
internal static class ToolCallCaps
{
    /// <summary>A trajectory id is a key, not text: longer ones are a client bug.</summary>
    public const int MaxTrajectoryIdChars = 256;

    /// <summary>Why the call exceeds a cap (naming the cap and its option), or null when it fits.</summary>
    public static string? Check(ToolCall call, ToolContext context, ToolServerOptions options)
    {
        if (context.TrajectoryId.Length is 0 or > MaxTrajectoryIdChars)
        {
            return $"\"trajectory_id\" must have 1 to {MaxTrajectoryIdChars} characters (got {context.TrajectoryId.Length})";
        }

        if (Problem(context.TrajectoryId, MaxTrajectoryIdChars, "fixed") is { } badId)
        {
            return $"\"trajectory_id\" {badId}";
        }

        if (context.Question.Length > options.MaxQuestionChars)
        {
            return $"\"question\" has {context.Question.Length} characters; at most {options.MaxQuestionChars} (--max-question-chars)";
        }

        if (call.Queries.Count > options.MaxQueriesPerCall)
        {
            return $"web_search takes at most {options.MaxQueriesPerCall} queries per call (got {call.Queries.Count}); send the rest in another call, or raise --max-queries";
        }

        for (int i = 0; i < call.Queries.Count; i++)
        {
            if (Problem(call.Queries[i], options.MaxQueryChars, "--max-query-chars") is { } problem)
            {
                return $"query[{i}] {problem}";
            }
        }

        if (call.Urls.Count > options.MaxUrlsPerCall)
        {
            return $"browse_webpage takes at most {options.MaxUrlsPerCall} URLs per call (got {call.Urls.Count}); send the rest in another call, or raise --max-urls";
        }

        for (int i = 0; i < call.Urls.Count; i++)
        {
            if (Problem(call.Urls[i], options.MaxUrlChars, "--max-url-chars") is { } problem)
            {
                return $"url_list[{i}] {problem}";
            }
        }

        return null;
    }

    private static string? Problem(string text, int maxChars, string option)
    {
        if (text.Length > maxChars)
        {
            return $"has {text.Length} characters; at most {maxChars} ({option})";
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            // Control characters have no place in a query or a URL; they only corrupt logs and upstream requests.
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return $"contains the control character U+{(int)c:X4}; remove it";
            }

            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return $"contains a lone surrogate U+{(int)c:X4} (not valid Unicode); send well-formed UTF-16/UTF-8 text";
                }

                i++;
            }
        }

        return null;
    }
}
