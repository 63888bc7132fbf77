using System.Globalization;
using System.Text;
using DeepResearcher.World.Generation;

namespace DeepResearcher.World.Pages;

/// <summary>
/// Turns world data into page content. Every choice draws from a generator seeded by (world seed, page, entity), so a page is the
/// same whenever and in whatever order it is rendered.
/// </summary>
public sealed class ArticleComposer
{
    /// <summary>Characters of filler placed before a deep fact: comfortably past the 40,960-character first browsing segment.</summary>
    public const int DeepFillerChars = 48_000;

    public const string SiteName = "Meridian Encyclopedia";

    private static readonly string[] BrokenLinkPrefixes = ["History_of_", "Economy_of_", "Culture_of_", "Timeline_of_", "Geography_of_", "Legacy_of_"];
    private static readonly string[] ForumHandles = ["quietfox", "old_mapmaker", "riverwatcher", "lanternlight", "northbound", "tea_and_maps", "archive_rat", "wanderer"];

    private readonly FictionalWorld _world;
    private readonly WorldShares _shares;

    public ArticleComposer(FictionalWorld world, WorldShares shares)
    {
        _world = world;
        _shares = shares;
    }

    /// <summary>The canonical article of an entity (mirrors reuse it verbatim).</summary>
    public Article Compose(Entity e)
    {
        var rng = Prng.For(_world.Seed, "article", e.Index);
        var art = new Article { Title = e.Name, Tagline = "From " + SiteName + ", the free encyclopedia" };

        var lead = new List<Inline> { new(LeadSentence(e)) };
        if (e.Aliases.Count > 0) lead.Add(new Inline(" It is also known as " + JoinWords(e.Aliases, "or") + "."));
        art.Blocks.Add(new ArticleBlock(BlockKind.Paragraph, lead));

        foreach (var fact in e.Facts)
        {
            if (fact.Relation == e.DeepRelation) continue;
            var spec = RelationCatalog.Get(fact.Relation, e.Type);
            art.Infobox.Add((spec.InfoboxLabel, fact.IsEntity ? LinkTo(fact.Target, ref rng) : new Inline(fact.Value)));
        }

        art.Blocks.Add(ArticleBlock.Heading(OverviewHeading(e.Type)));
        var overview = new List<Inline>();
        foreach (var fact in e.Facts)
        {
            if (fact.Relation == e.DeepRelation) continue;
            if (overview.Count > 0) overview.Add(new Inline(" "));
            AppendFactSentence(overview, e, fact, fact.Value, ref rng);
            if (rng.Chance(0.4)) overview.Add(new Inline(" " + FillerText.Paragraph(ref rng, e.Name, 1)));
        }
        art.Blocks.Add(new ArticleBlock(BlockKind.Paragraph, overview));

        AppendConnections(art, e, ref rng);

        art.Blocks.Add(ArticleBlock.Heading("History"));
        int historyParagraphs = rng.Next(1, 4);
        for (int i = 0; i < historyParagraphs; i++) art.Blocks.Add(ArticleBlock.Paragraph(FillerText.Paragraph(ref rng, e.Name, rng.Next(300, 700))));

        if (e.DeepRelation is { } deep)
        {
            art.Blocks.Add(ArticleBlock.Heading("Detailed history"));
            int written = 0;
            while (written < DeepFillerChars)
            {
                string p = FillerText.Paragraph(ref rng, e.Name, rng.Next(1500, 2600));
                written += p.Length + 1;
                art.Blocks.Add(ArticleBlock.Paragraph(p));
            }
            art.Blocks.Add(ArticleBlock.Heading("Later records"));
            var fact = e.FindFact(deep)!;
            var records = new List<Inline> { new(FillerText.Paragraph(ref rng, e.Name, 1) + " ") };
            AppendFactSentence(records, e, fact, fact.Value, ref rng);
            records.Add(new Inline(" " + FillerText.Paragraph(ref rng, e.Name, 1)));
            art.Blocks.Add(new ArticleBlock(BlockKind.Paragraph, records));
        }

        AppendSeeAlso(art, e, ref rng);
        return art;
    }

    /// <summary>A fan-wiki page that gets one literal wrong.</summary>
    public Article ComposeFanWiki(Entity e)
    {
        var d = e.Distractor ?? throw new InvalidOperationException($"{e.Id} has no distractor page.");
        var rng = Prng.For(_world.Seed, "fanwiki", e.Index);
        var art = new Article { Title = e.Name + " | Fan Wiki", Tagline = "Community-edited. Facts may be out of date." };
        art.Blocks.Add(ArticleBlock.Paragraph("This page is written by fans of " + e.Name + ". Help us improve it by adding what you know!"));
        art.Blocks.Add(ArticleBlock.Heading("Quick facts"));
        var p = new List<Inline>();
        foreach (var fact in e.Facts)
        {
            if (!fact.IsEntity && fact.Relation != d.Relation) continue;
            if (fact.IsEntity && !rng.Chance(0.6)) continue;
            if (p.Count > 0) p.Add(new Inline(" "));
            AppendFactSentence(p, e, fact, fact.Relation == d.Relation ? d.WrongValue : fact.Value, ref rng);
        }
        art.Blocks.Add(new ArticleBlock(BlockKind.Paragraph, p));
        art.Blocks.Add(ArticleBlock.Heading("Trivia"));
        art.Blocks.Add(ArticleBlock.Paragraph(FillerText.Paragraph(ref rng, e.Name, 400)));
        art.Blocks.Add(ArticleBlock.Heading("Comments"));
        art.Blocks.Add(new ArticleBlock(BlockKind.ListItem, [new Inline(rng.Pick(ForumHandles) + ": great page, thanks for collecting all this!")]));
        art.SeeAlso.Add(new Inline("Main article on " + SiteName, WorldSite.ArticlePath(e)));
        return art;
    }

    /// <summary>A forum thread in which a reply states a wrong value.</summary>
    public Article ComposeForum(Entity e)
    {
        var d = e.Distractor ?? throw new InvalidOperationException($"{e.Id} has no distractor page.");
        var rng = Prng.For(_world.Seed, "forum", e.Index);
        var spec = RelationCatalog.Get(d.Relation, e.Type);
        var fact = e.FindFact(d.Relation)!;
        var art = new Article { Title = "Question about " + e.Name + " - Trivia Forum", Tagline = "Trivia Forum › General knowledge" };
        string asker = rng.Pick(ForumHandles);
        string replier = rng.Pick(ForumHandles);
        string question = rng.Pick(spec.Questions).Replace("{s}", e.Name, StringComparison.Ordinal);
        art.Blocks.Add(new ArticleBlock(BlockKind.ListItem, [new Inline(asker + " wrote: Quick question for the trivia night. " + question + " Thanks in advance.")]));
        var reply = new List<Inline> { new(replier + " wrote: I am fairly sure about this one. ") };
        AppendFactSentence(reply, e, fact, d.WrongValue, ref rng);
        reply.Add(new Inline(" I read it in an old magazine years ago."));
        art.Blocks.Add(new ArticleBlock(BlockKind.ListItem, reply));
        art.Blocks.Add(new ArticleBlock(BlockKind.ListItem, [new Inline(rng.Pick(ForumHandles) + " wrote: Not sure myself, you could check an encyclopedia.")]));
        return art;
    }

    public Article ComposeHome()
    {
        var rng = Prng.For(_world.Seed, "home");
        var art = new Article { Title = "Welcome to " + SiteName, Tagline = "The free encyclopedia of the known world" };
        art.Blocks.Add(ArticleBlock.Paragraph(SiteName + " describes the countries, cities, people, organisations, works, rivers, mountains and events of the world."));
        art.Blocks.Add(ArticleBlock.Heading("Browse by category"));
        foreach (var type in Enum.GetValues<EntityType>())
        {
            art.Blocks.Add(new ArticleBlock(BlockKind.ListItem, [new Inline(NameForge.Capitalise(WorldSite.ListSegment(type)), WorldSite.ListPath(type, 1))]));
        }
        art.Blocks.Add(ArticleBlock.Heading("Featured articles"));
        for (int i = 0; i < Math.Min(10, _world.Entities.Count); i++)
        {
            var e = _world.Entities[rng.Next(_world.Entities.Count)];
            art.Blocks.Add(new ArticleBlock(BlockKind.ListItem, [new Inline(e.Name, WorldSite.ArticlePath(e))]));
        }
        return art;
    }

    public Article ComposeList(EntityType type, int page)
    {
        var members = new List<Entity>();
        foreach (var e in _world.Entities)
        {
            if (e.Type == type) members.Add(e);
        }
        int pages = Math.Max(1, (members.Count + WorldSite.ListPageSize - 1) / WorldSite.ListPageSize);
        string segment = WorldSite.ListSegment(type);
        var art = new Article
        {
            Title = "List of " + segment + (pages > 1 ? string.Create(CultureInfo.InvariantCulture, $" (page {page} of {pages})") : ""),
            Tagline = "From " + SiteName + ", the free encyclopedia",
        };
        int start = (page - 1) * WorldSite.ListPageSize;
        for (int i = start; i < Math.Min(members.Count, start + WorldSite.ListPageSize); i++)
        {
            art.Blocks.Add(new ArticleBlock(BlockKind.ListItem, [new Inline(members[i].Name, WorldSite.ArticlePath(members[i]))]));
        }
        if (page < pages) art.SeeAlso.Add(new Inline("Next page", WorldSite.ListPath(type, page + 1)));
        if (page > 1) art.SeeAlso.Add(new Inline("Previous page", WorldSite.ListPath(type, page - 1)));
        return art;
    }

    /// <summary>Renders a fact with one of its phrasings; <paramref name="value"/> replaces the true value on distractor pages.</summary>
    private void AppendFactSentence(List<Inline> into, Entity e, Fact fact, string value, ref Prng rng)
    {
        var spec = RelationCatalog.Get(fact.Relation, e.Type);
        string template = rng.Pick(spec.Sentences);
        int at = template.IndexOf("{o}", StringComparison.Ordinal);
        string before = template[..at].Replace("{s}", e.Name, StringComparison.Ordinal);
        string after = template[(at + 3)..].Replace("{s}", e.Name, StringComparison.Ordinal);
        into.Add(new Inline(before));
        into.Add(fact.IsEntity ? LinkTo(fact.Target, ref rng) with { Text = value } : new Inline(value));
        into.Add(new Inline(after));
    }

    private Inline LinkTo(int target, ref Prng rng)
    {
        var t = _world.Entities[target];
        string href = WorldSite.ArticlePath(t);
        if (rng.Chance(_shares.RedirectLink))
        {
            href = t.Aliases.Count > 0 && rng.Chance(0.5) ? "/wiki/" + WorldGenerator.SlugOf(rng.Pick(t.Aliases)) : WorldSite.EntityIdPath(t);
        }
        return new Inline(t.Name, href);
    }

    private void AppendConnections(Article art, Entity e, ref Prng rng)
    {
        var incoming = _world.Incoming(e.Index);
        if (incoming.Count == 0) return;
        var groups = new List<(string Relation, EntityType Type, List<int> Subjects)>();
        foreach (var (subject, fact) in incoming)
        {
            var type = _world.Entities[subject].Type;
            if (fact.Relation == "spouse") continue;
            int g = groups.FindIndex(x => x.Relation == fact.Relation && x.Type == type);
            if (g < 0)
            {
                groups.Add((fact.Relation, type, []));
                g = groups.Count - 1;
            }
            if (groups[g].Subjects.Count < 12) groups[g].Subjects.Add(subject);
        }
        if (groups.Count == 0) return;
        art.Blocks.Add(ArticleBlock.Heading("Connections"));
        foreach (var (relation, type, subjects) in groups)
        {
            var (pre, post) = ConnectionPhrase(relation, type, e.Name);
            var inlines = new List<Inline> { new(pre) };
            for (int i = 0; i < subjects.Count; i++)
            {
                if (i > 0) inlines.Add(new Inline(i == subjects.Count - 1 ? " and " : ", "));
                inlines.Add(LinkTo(subjects[i], ref rng));
            }
            inlines.Add(new Inline(post));
            art.Blocks.Add(new ArticleBlock(BlockKind.Paragraph, inlines));
        }
    }

    private static (string Before, string After) ConnectionPhrase(string relation, EntityType subjectType, string name) => (relation, subjectType) switch
    {
        ("born_in", _) => ("People born in " + name + " include ", "."),
        ("located_in", EntityType.City) => ("Cities of " + name + " include ", "."),
        ("located_in", _) => ("Mountains of " + name + " include ", "."),
        ("capital", _) => (name + " is the capital of ", "."),
        ("founded_by", _) => (name + " founded ", "."),
        ("headquartered_in", _) => ("Organisations headquartered in " + name + " include ", "."),
        ("created_by", _) => ("Works by " + name + " include ", "."),
        ("invented_by", _) => (name + " invented ", "."),
        ("flows_through", _) => ("Rivers of " + name + " include ", "."),
        ("first_climbed_by", _) => (name + " made the first ascent of ", "."),
        ("held_in", _) => ("Events held in " + name + " include ", "."),
        ("organised_by", _) => (name + " organised ", "."),
        _ => ("See also ", "."),
    };

    private void AppendSeeAlso(Article art, Entity e, ref Prng rng)
    {
        int n = rng.Next(4, 9);
        var used = new HashSet<int> { e.Index };
        for (int i = 0; i < n; i++)
        {
            if (rng.Chance(_shares.BrokenLink))
            {
                string prefix = rng.Pick(BrokenLinkPrefixes);
                art.SeeAlso.Add(new Inline(prefix.Replace('_', ' ') + e.Name, "/wiki/" + prefix + e.Slug));
                continue;
            }
            int target = -1;
            foreach (var f in e.Facts)
            {
                if (f.IsEntity && rng.Chance(0.5)) target = f.Target;
            }
            if (target < 0) target = rng.Next(_world.Entities.Count);
            if (!used.Add(target))
            {
                target = rng.Next(_world.Entities.Count);
                if (!used.Add(target)) continue;
            }
            art.SeeAlso.Add(LinkTo(target, ref rng));
        }
    }

    private static string OverviewHeading(EntityType type) => type switch
    {
        EntityType.Person => "Life",
        EntityType.Country or EntityType.City or EntityType.River or EntityType.Mountain => "Geography",
        _ => "Overview",
    };

    private static string LeadSentence(Entity e) => e.Type switch
    {
        EntityType.Country => e.Name + " is a sovereign " + e.Kind + ".",
        EntityType.City => e.Name + " is a " + e.Kind + ".",
        EntityType.Person => e.Name + " was a " + e.Kind + ".",
        EntityType.Organisation => e.Name + " is a well-known " + e.Kind + ".",
        EntityType.Work => e.Name + " is a " + e.Kind + ".",
        EntityType.River => e.Name + " is a river.",
        EntityType.Mountain => e.Name + " is a mountain.",
        EntityType.Event => e.Name + " was a " + e.Kind + ".",
        _ => e.Name + ".",
    };

    private static string JoinWords(IReadOnlyList<string> items, string conjunction)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(i == items.Count - 1 ? " " + conjunction + " " : ", ");
            sb.Append(items[i]);
        }
        return sb.ToString();
    }
}
