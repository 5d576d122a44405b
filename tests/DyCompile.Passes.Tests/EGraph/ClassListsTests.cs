using DyCompile.Passes.EGraph;

namespace DyCompile.Passes.Tests.EGraph;

/// <summary>The per-class lists sharing one array behave as independent lists.</summary>
public sealed class ClassListsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_operations_agree_with_separate_lists(int seed)
    {
        const int ids = 40;
        var random = new Random(seed);
        var lists = new ClassLists<int>();
        lists.EnsureIds(ids);
        var model = Enumerable.Range(0, ids).Select(_ => new List<int>()).ToArray();
        var next = 0;
        for (var step = 0; step < 5_000; step++)
        {
            var id = random.Next(ids);
            switch (random.Next(10))
            {
                case < 6:
                    lists.Add(id, next);
                    model[id].Add(next++);
                    break;
                case 6:
                    var from = random.Next(ids);
                    if (from == id)
                    {
                        break;
                    }
                    lists.MoveInto(id, from);
                    var (longer, shorter) = model[id].Count < model[from].Count ? (model[from], model[id]) : (model[id], model[from]);
                    model[id] = [.. longer, .. shorter];
                    model[from] = [];
                    break;
                case 7:
                    lists.RemoveAll(id, x => x % 3 == 0);
                    model[id].RemoveAll(x => x % 3 == 0);
                    break;
                case 8:
                    lists.Release(id);
                    model[id].Clear();
                    break;
                default:
                    lists.CompactIfWasteful(ids);
                    break;
            }
        }
        for (var id = 0; id < ids; id++)
        {
            Assert.Equal(model[id], lists.AsSpan(id).ToArray());
        }
    }
}
