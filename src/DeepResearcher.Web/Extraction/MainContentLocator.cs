namespace DeepResearcher.Web.Extraction;

/// <summary>
/// Drops chrome from a <see cref="PageTree"/> and finds the element holding the main content: the one maximising
/// "content text minus clutter text", where content is text of link-poor, paragraph-sized blocks and clutter is text of
/// link-dominated blocks. Climbing from the article to its parent pays off only if the parent adds more prose than links.
/// </summary>
internal static class MainContentLocator
{
    /// <summary>A block needs this many non-link characters to count as prose (a short sentence).</summary>
    private const int ProseMinimum = 30;

    /// <summary>Above this share of linked text, a block is navigation.</summary>
    private const float LinkyShare = 0.5f;

    /// <summary>Below this share of linked text, a block of prose size counts as content.</summary>
    private const float ProseLinkShare = 0.35f;

    /// <summary>Chrome that holds this share of the page's unlinked text is the page itself (a wrapper with an unlucky class name, a body hidden until scripts run).</summary>
    private const float WrapperShare = 0.6f;

    /// <summary>Semantic main/article elements get this bonus: preferred, but not trusted blindly.</summary>
    private const float MainLikeBonus = 1.25f;

    /// <summary>A main/article element inside the best container replaces it when it holds this share of the container's content.</summary>
    private const float MainLikeShare = 0.6f;

    /// <summary>If the best container holds less than this share of the page's kept unlinked text, the page has no article shape.</summary>
    private const float FallbackShare = 0.4f;

    /// <summary>Marks chrome subtrees as removed, scores the rest, and returns the index of the main-content root.</summary>
    public static int Locate(PageTree tree)
    {
        var nodes = tree.Nodes;
        RemoveChrome(nodes);
        Score(nodes);

        var best = 0;
        var bestScore = 0f;
        for (var i = 0; i < nodes.Length; i++)
        {
            ref var node = ref nodes[i];
            if (node.IsText || node.Removed || !ElementKinds.IsBlockLike(node.Kind))
            {
                continue;
            }

            var score = node.Content - node.Clutter;
            if (score > 0 && node.IsMainLike)
            {
                score *= MainLikeBonus;
            }

            // Strictly greater keeps the outermost of equal candidates, so wrappers around the article keep its heading.
            if (score > bestScore)
            {
                best = i;
                bestScore = score;
            }
        }

        if (bestScore <= 0 || nodes[best].KeptPlainText < FallbackShare * nodes[0].KeptPlainText)
        {
            return 0;
        }

        return NarrowToMainLike(nodes, best);
    }

    /// <summary>
    /// Descends from the best container into the main/article element it holds, if that element has most of its
    /// content: what the container adds around a semantic article is usually a story package or unmarked comments.
    /// Several articles sharing the content (posts of a thread, teasers of a listing) each hold too little to win.
    /// </summary>
    private static int NarrowToMainLike(Span<PageNode> nodes, int best)
    {
        while (true)
        {
            var candidate = -1;
            var candidateContent = 0f;
            var end = nodes[best].SubtreeEnd;
            for (var i = best + 1; i <= end; i++)
            {
                ref var node = ref nodes[i];
                if (node.Removed)
                {
                    i = node.SubtreeEnd;
                    continue;
                }

                if (node.IsMainLike && node.Content > candidateContent)
                {
                    candidate = i;
                    candidateContent = node.Content;
                }
            }

            if (candidate < 0 || candidateContent < MainLikeShare * nodes[best].Content)
            {
                return best;
            }

            best = candidate;
        }
    }

    private static bool InDataTable(Span<PageNode> nodes, ref PageNode node) => node.Table >= 0 && !nodes[node.Table].IsLayoutTable;

    private static void RemoveChrome(Span<PageNode> nodes)
    {
        var pagePlainText = nodes[0].SubtreeText - nodes[0].SubtreeLinkText;
        for (var i = 1; i < nodes.Length; i++)
        {
            ref var node = ref nodes[i];
            if (nodes[node.Parent].Removed)
            {
                node.Removed = true;
                continue;
            }

            if (node.IsText || node.Chrome == ChromeMatch.None || (node.HoldsMainLike && node.Chrome != ChromeMatch.Hidden))
            {
                continue;
            }

            // A block merely named like a header is site chrome only if it is mostly links (logo, menus); otherwise it
            // is an article or section heading block.
            if (node.Chrome == ChromeMatch.HeaderName && node.SubtreeLinkText * 2 < node.SubtreeText)
            {
                continue;
            }

            var plainText = node.SubtreeText - node.SubtreeLinkText;
            node.Removed = pagePlainText == 0 || plainText < WrapperShare * pagePlainText;
        }
    }

    private static void Score(Span<PageNode> nodes)
    {
        for (var i = 0; i < nodes.Length; i++)
        {
            ref var node = ref nodes[i];
            if (node.IsText && !node.Removed && node.Block >= 0)
            {
                ref var block = ref nodes[node.Block];
                block.OwnText += node.SubtreeText;
                block.OwnLinkText += node.SubtreeLinkText;
            }
        }

        for (var i = nodes.Length - 1; i >= 0; i--)
        {
            ref var node = ref nodes[i];
            if (node.Removed)
            {
                continue;
            }

            if (!node.IsText && node.OwnText > 0)
            {
                // Links in data tables are data (names, titles), not navigation.
                var linkText = InDataTable(nodes, ref node) ? 0 : node.OwnLinkText;
                var plain = node.OwnText - linkText;
                var linkShare = (float)linkText / node.OwnText;
                node.KeptPlainText += plain;
                node.KeptLinkText += linkText;
                if (node.Kind == ElementKind.Heading)
                {
                    // Linked headings are titles of posts or sections linking to themselves: neither prose nor navigation.
                    node.Content += linkShare < LinkyShare ? plain : 0;
                }
                else if (plain >= ProseMinimum && linkShare < ProseLinkShare)
                {
                    node.Content += plain;
                }
                else if (linkShare >= LinkyShare)
                {
                    node.Clutter += node.OwnText;
                }
            }

            if (i > 0)
            {
                ref var parent = ref nodes[node.Parent];
                parent.Content += node.Content;
                parent.Clutter += node.Clutter;
                parent.KeptPlainText += node.KeptPlainText;
                parent.KeptLinkText += node.KeptLinkText;
            }
        }
    }
}
