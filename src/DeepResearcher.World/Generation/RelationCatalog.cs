namespace DeepResearcher.World.Generation;

/// <summary>Every relation the generator emits, with its phrasings. Lookups go by (relation name, subject type).</summary>
public static class RelationCatalog
{
    public static IReadOnlyList<RelationSpec> All { get; } = Build();

    public static RelationSpec Get(string relation, EntityType subject)
    {
        foreach (var spec in All)
        {
            if (spec.Subject == subject && spec.Name == relation) return spec;
        }
        throw new KeyNotFoundException($"No relation '{relation}' for subject type {subject}.");
    }

    public static RelationSpec? Find(string relation, EntityType subject)
    {
        foreach (var spec in All)
        {
            if (spec.Subject == subject && spec.Name == relation) return spec;
        }
        return null;
    }

    private static List<RelationSpec> Build() =>
    [
        new()
        {
            Name = "capital", Subject = EntityType.Country, Object = EntityType.City, InfoboxLabel = "Capital", SearchWords = "capital",
            Questions = ["What is the capital of {s}?", "Which city is the capital of {s}?", "Name the capital city of {s}."],
            Descriptors = ["the capital of {s}", "the capital city of {s}"],
            Sentences = ["The capital of {s} is {o}.", "{o} serves as the capital of {s}.", "{s} is governed from its capital, {o}."],
            YesNo = "Is {o} the capital of {s}?",
        },
        new()
        {
            Name = "population", Subject = EntityType.Country, Attribute = "population", InfoboxLabel = "Population", SearchWords = "population",
            Questions = ["What is the population of {s}?", "How many people live in {s}?", "What population does {s} have?"],
            Sentences = ["{s} has a population of {o}.", "At the most recent census, {o} people lived in {s}.", "The population of {s} stands at {o}."],
            Comparisons = ["Which country has the larger population, {a} or {b}?", "Which is more populous, {a} or {b}?"],
            LargerWins = true, CanBeDeep = true,
        },
        new()
        {
            Name = "currency", Subject = EntityType.Country, Attribute = "official currency", InfoboxLabel = "Currency", SearchWords = "currency",
            Questions = ["What currency is used in {s}?", "What is the official currency of {s}?", "Which currency does {s} use?"],
            Sentences = ["The official currency of {s} is the {o}.", "{s} uses the {o} as its currency.", "Prices in {s} are quoted in the {o}."],
            CanBeDeep = true,
        },
        new()
        {
            Name = "language", Subject = EntityType.Country, Attribute = "official language", InfoboxLabel = "Official language", SearchWords = "official language",
            Questions = ["What is the official language of {s}?", "Which language is spoken in {s}?", "What language do people in {s} speak?"],
            Sentences = ["The official language of {s} is {o}.", "Most people in {s} speak {o}.", "{o} is the language of government in {s}."],
        },
        new()
        {
            Name = "year_founded", Subject = EntityType.Country, Attribute = "founding year", InfoboxLabel = "Founded", SearchWords = "founded year",
            Questions = ["In what year was {s} founded?", "When was {s} established as a state?", "In which year did {s} become a state?"],
            Sentences = ["{s} was founded as a state in {o}.", "{s} became an independent state in {o}.", "The state of {s} was proclaimed in {o}."],
            Comparisons = ["Which state is older, {a} or {b}?", "Which was founded first, {a} or {b}?"],
            CanBeDeep = true,
        },
        new()
        {
            Name = "located_in", Subject = EntityType.City, Object = EntityType.Country, InfoboxLabel = "Country", SearchWords = "city country",
            Questions = ["In which country is {s} located?", "Which country is {s} in?", "{s} lies in which country?"],
            Descriptors = ["the country in which {s} lies", "the country where {s} is located"],
            Sentences = ["{s} is a city in {o}.", "{s} is located in {o}.", "{s} lies within the borders of {o}."],
            YesNo = "Is {s} located in {o}?",
        },
        new()
        {
            Name = "population", Subject = EntityType.City, Attribute = "population", InfoboxLabel = "Population", SearchWords = "population",
            Questions = ["What is the population of {s}?", "How many people live in {s}?", "How many inhabitants does {s} have?"],
            Sentences = ["{s} has a population of {o}.", "At the most recent census, {o} people lived in {s}.", "The population of {s} stands at {o}."],
            Comparisons = ["Which city has the larger population, {a} or {b}?", "Which city is more populous, {a} or {b}?"],
            LargerWins = true, CanBeDeep = true,
        },
        new()
        {
            Name = "year_founded", Subject = EntityType.City, Attribute = "founding year", InfoboxLabel = "Founded", SearchWords = "founded year",
            Questions = ["In what year was {s} founded?", "When was {s} founded?", "In which year was {s} established?"],
            Sentences = ["{s} was founded in {o}.", "The settlement of {s} dates from {o}.", "Chronicles place the founding of {s} in {o}."],
            Comparisons = ["Which city is older, {a} or {b}?", "Which city was founded first, {a} or {b}?"],
            CanBeDeep = true,
        },
        new()
        {
            Name = "born_in", Subject = EntityType.Person, Object = EntityType.City, InfoboxLabel = "Birthplace", SearchWords = "born birthplace",
            Questions = ["Where was {s} born?", "In which city was {s} born?", "What is the birthplace of {s}?"],
            Descriptors = ["the birthplace of {s}", "the city where {s} was born"],
            Sentences = ["{s} was born in the city of {o}.", "{o} is the birthplace of {s}.", "{s} was born and raised in {o}."],
            YesNo = "Was {s} born in {o}?",
        },
        new()
        {
            Name = "year_of_birth", Subject = EntityType.Person, Attribute = "year of birth", InfoboxLabel = "Year of birth", SearchWords = "born year",
            Questions = ["In what year was {s} born?", "What year was {s} born in?", "When was {s} born?"],
            Sentences = ["{s} was born in the year {o}.", "The records give {o} as the year of birth of {s}.", "{s} came into the world in {o}."],
            Comparisons = ["Who was born first, {a} or {b}?", "Who is older, {a} or {b}?"],
            CanBeDeep = true,
        },
        new()
        {
            Name = "spouse", Subject = EntityType.Person, Object = EntityType.Person, InfoboxLabel = "Spouse", SearchWords = "married spouse",
            Questions = ["Who is the spouse of {s}?", "Whom did {s} marry?", "Who was {s} married to?"],
            Descriptors = ["the spouse of {s}", "the person {s} married"],
            Sentences = ["{s} married {o}.", "{s} was married to {o}.", "{s} shared a long marriage with {o}."],
            YesNo = "Was {s} married to {o}?",
        },
        new()
        {
            Name = "occupation", Subject = EntityType.Person, Attribute = "occupation", InfoboxLabel = "Occupation", SearchWords = "occupation",
            Questions = ["What was the occupation of {s}?", "What did {s} do for a living?", "What profession did {s} follow?"],
            Sentences = ["{s} worked as a {o}.", "By profession, {s} was a {o}.", "{s} made a living as a {o}."],
        },
        new()
        {
            Name = "founded_by", Subject = EntityType.Organisation, Object = EntityType.Person, InfoboxLabel = "Founder", SearchWords = "founder founded",
            Questions = ["Who founded {s}?", "Who was the founder of {s}?", "{s} was founded by whom?"],
            Descriptors = ["the founder of {s}", "the person who founded {s}"],
            Sentences = ["{s} was founded by {o}.", "{o} founded {s}.", "{s} owes its existence to its founder, {o}."],
            YesNo = "Was {s} founded by {o}?",
        },
        new()
        {
            Name = "headquartered_in", Subject = EntityType.Organisation, Object = EntityType.City, InfoboxLabel = "Headquarters", SearchWords = "headquarters",
            Questions = ["Where is {s} headquartered?", "In which city is the headquarters of {s}?", "Which city is home to the headquarters of {s}?"],
            Descriptors = ["the city where {s} is headquartered", "the home city of {s}"],
            Sentences = ["{s} is headquartered in {o}.", "The headquarters of {s} are in {o}.", "{s} runs its affairs from offices in {o}."],
            YesNo = "Is {s} headquartered in {o}?",
        },
        new()
        {
            Name = "year_founded", Subject = EntityType.Organisation, Attribute = "founding year", InfoboxLabel = "Founded", SearchWords = "founded year",
            Questions = ["In what year was {s} founded?", "When was {s} established?", "In which year was {s} set up?"],
            Sentences = ["{s} was founded in {o}.", "{s} was established in {o}.", "The founding charter of {s} is dated {o}."],
            Comparisons = ["Which organisation is older, {a} or {b}?", "Which was founded earlier, {a} or {b}?"],
            CanBeDeep = true,
        },
        new()
        {
            Name = "created_by", Subject = EntityType.Work, Object = EntityType.Person, InfoboxLabel = "Creator", SearchWords = "created by",
            Questions = ["Who created {s}?", "Who was the creator of {s}?", "Who is {s} by?"],
            Descriptors = ["the creator of {s}", "the person who created {s}"],
            Sentences = ["{s} was created by {o}.", "{o} is the creator of {s}.", "{s} is the work of {o}."],
            YesNo = "Was {s} created by {o}?",
        },
        new()
        {
            Name = "invented_by", Subject = EntityType.Work, Object = EntityType.Person, InfoboxLabel = "Inventor", SearchWords = "inventor invented",
            Questions = ["Who invented {s}?", "Who was the inventor of {s}?", "Who is credited with inventing {s}?"],
            Descriptors = ["the inventor of {s}", "the person who invented {s}"],
            Sentences = ["{s} was invented by {o}.", "{o} is credited with inventing {s}.", "{o} built the first {s}."],
            YesNo = "Was {s} invented by {o}?",
        },
        new()
        {
            Name = "year_created", Subject = EntityType.Work, Attribute = "year of first appearance", InfoboxLabel = "First appeared", SearchWords = "year first appeared",
            Questions = ["In what year did {s} first appear?", "When was {s} first presented?", "In which year was {s} introduced?"],
            Sentences = ["{s} first appeared in {o}.", "{s} was first presented to the public in {o}.", "The year {o} saw the introduction of {s}."],
            Comparisons = ["Which appeared first, {a} or {b}?", "Which is older, {a} or {b}?"],
            CanBeDeep = true,
        },
        new()
        {
            Name = "flows_through", Subject = EntityType.River, Object = EntityType.Country, InfoboxLabel = "Country", SearchWords = "river country",
            Questions = ["Through which country does {s} flow?", "In which country is {s}?", "Which country does {s} run through?"],
            Descriptors = ["the country through which {s} flows", "the country of {s}"],
            Sentences = ["{s} flows through {o}.", "{s} is a river of {o}.", "For its whole course, {s} runs through {o}."],
            YesNo = "Does {s} flow through {o}?",
        },
        new()
        {
            Name = "length", Subject = EntityType.River, Attribute = "length", InfoboxLabel = "Length", SearchWords = "length",
            Questions = ["How long is {s}?", "What is the length of {s}?", "How many kilometres long is {s}?"],
            Sentences = ["{s} is {o} long.", "{s} runs for {o} from source to mouth.", "The total length of {s} is {o}."],
            Comparisons = ["Which river is longer, {a} or {b}?", "Which is the longer river, {a} or {b}?"],
            LargerWins = true, CanBeDeep = true,
        },
        new()
        {
            Name = "located_in", Subject = EntityType.Mountain, Object = EntityType.Country, InfoboxLabel = "Country", SearchWords = "mountain country",
            Questions = ["In which country is {s}?", "Which country is {s} located in?", "{s} stands in which country?"],
            Descriptors = ["the country where {s} stands", "the country in which {s} is located"],
            Sentences = ["{s} is a mountain in {o}.", "{s} stands in {o}.", "{s} rises within {o}."],
            YesNo = "Is {s} in {o}?",
        },
        new()
        {
            Name = "height", Subject = EntityType.Mountain, Attribute = "height", InfoboxLabel = "Elevation", SearchWords = "height elevation",
            Questions = ["How tall is {s}?", "What is the height of {s}?", "How high is {s}?"],
            Sentences = ["{s} rises to {o}.", "The summit of {s} stands {o} above sea level.", "{s} has an elevation of {o}."],
            Comparisons = ["Which mountain is higher, {a} or {b}?", "Which is taller, {a} or {b}?"],
            LargerWins = true, CanBeDeep = true,
        },
        new()
        {
            Name = "first_climbed_by", Subject = EntityType.Mountain, Object = EntityType.Person, InfoboxLabel = "First ascent", SearchWords = "first ascent climbed",
            Questions = ["Who first climbed {s}?", "Who made the first ascent of {s}?", "Who was the first person to reach the summit of {s}?"],
            Descriptors = ["the first person to climb {s}", "the first climber of {s}"],
            Sentences = ["{s} was first climbed by {o}.", "The first ascent of {s} was made by {o}.", "{o} was the first to stand on the summit of {s}."],
            YesNo = "Was {s} first climbed by {o}?",
        },
        new()
        {
            Name = "held_in", Subject = EntityType.Event, Object = EntityType.City, InfoboxLabel = "Location", SearchWords = "held location",
            Questions = ["Where did {s} take place?", "In which city was {s} held?", "Which city hosted {s}?"],
            Descriptors = ["the city that hosted {s}", "the city where {s} was held"],
            Sentences = ["{s} took place in {o}.", "{s} was held in {o}.", "{o} hosted {s}."],
            YesNo = "Was {s} held in {o}?",
        },
        new()
        {
            Name = "year_held", Subject = EntityType.Event, Attribute = "year", InfoboxLabel = "Year", SearchWords = "year held",
            Questions = ["In what year did {s} take place?", "When was {s} held?", "In which year was {s} held?"],
            Sentences = ["{s} was held in the year {o}.", "{s} opened in {o}.", "The year {o} saw {s} convene."],
            Comparisons = ["Which took place first, {a} or {b}?", "Which event was earlier, {a} or {b}?"],
            CanBeDeep = true,
        },
        new()
        {
            Name = "organised_by", Subject = EntityType.Event, Object = EntityType.Organisation, InfoboxLabel = "Organiser", SearchWords = "organised organiser",
            Questions = ["Which organisation organised {s}?", "Who organised {s}?", "Who was the organiser of {s}?"],
            Descriptors = ["the organiser of {s}", "the organisation that organised {s}"],
            Sentences = ["{s} was organised by {o}.", "{o} organised {s}.", "The organiser of {s} was {o}."],
            YesNo = "Was {s} organised by {o}?",
        },
    ];
}
