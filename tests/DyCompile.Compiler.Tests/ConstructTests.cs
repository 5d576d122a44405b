using DyCompile.Runtime;

namespace DyCompile.Compiler.Tests;

/// <summary>Each construct of the subset: C# source → IR text (golden) → the interpreter's
/// result equals the C# method run eagerly, on inputs that take different paths.</summary>
public class ConstructTests
{
    private static Tensor R(int seed, params int[] shape) => ModelHarness.Random(seed, shape);

    private static Tensor Full(float v, params int[] shape) => Tensor.Full(v, shape);

    /// <summary>Lowers <paramref name="type"/>.Forward once per input set, checks eager ≡ lowered,
    /// the golden text, and returns the distinct block paths taken.</summary>
    private static HashSet<string> Lowers(string type, params object[][] inputSets)
    {
        var models = ConstructModels.Compiled.Value;
        var model = models.Create(type, 7);
        string? text = null;
        var paths = new HashSet<string>();
        foreach (var inputs in inputSets)
        {
            var (lowered, run) = ModelHarness.Check(models, type, "Forward", model, inputs);
            var printed = lowered.Program!.ToString();
            text ??= printed;
            Assert.Equal(text, printed);
            paths.Add(string.Join(" ", run.Path));
        }
        // A dispatch's out-of-range trap names its host callback by a process-wide id.
        Golden.Match(type, System.Text.RegularExpressions.Regex.Replace(text!, @"(%trap[.0-9]* = const )[0-9]+", "${1}<id>"));
        // The lowered program is well formed and survives the text round trip.
        Assert.Equal(text, DyCompile.IR.IRProgram.Parse(text!).ToString());
        return paths;
    }

    [Fact]
    public void ModuleListIndexedByARunTimeIntDispatches()
    {
        // Different tokens route to different pairs of experts: each pair is one path through the dispatch arms.
        var paths = Lowers("MixtureOfExperts", [R(1, 1, 4)], [R(2, 1, 4)], [R(3, 1, 4)], [R(4, 1, 4)], [R(5, 1, 4)], [R(6, 1, 4)]);
        Assert.True(paths.Count >= 2, string.Join("\n", paths));
    }

    [Fact]
    public void RunTimeBoundedLoopOverModulesStaysALoopAndDispatches()
    {
        var paths = Lowers("AdaptiveDepth", [Full(1f, 1, 4), 0], [R(1, 1, 4), 1], [R(2, 1, 4), 2], [R(3, 1, 4), 3]);
        Assert.Equal(4, paths.Count);
        // One copy of the body: the dispatch appears once, with one arm per learner.
        var text = Lower("AdaptiveDepth", [R(1, 1, 4), 2]).Program!.ToString();
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(text, @"^\^dispatch\.[0-9]+\(", System.Text.RegularExpressions.RegexOptions.Multiline).Count);
    }

    [Fact]
    public void RunTimeLoopOverModulesInsideATokenLoop()
    {
        // The token loop stays a loop (its counter narrows the input through a run-time start, and
        // the output it grows gets a `?` dimension); each token's learner loop is a loop inside it
        // whose trip count the gate picks at run time.
        var paths = Lowers("AdaptiveTokens", [R(1, 1, 3, 4)], [R(2, 1, 3, 4)], [R(3, 1, 3, 4)], [R(4, 1, 3, 4)]);
        Assert.True(paths.Count >= 2, string.Join("\n", paths));
    }

    [Fact]
    public void DispatchInsideAnInlinedModuleOnACounterWithoutABound()
    {
        // The index is computed from the loop counter, so unrolling is tried first; the run-time
        // bound makes it dispatch instead, inside the inlined router, with a tuple result per arm.
        var paths = Lowers("RoutedCells", [R(1, 1, 3), 0], [R(1, 1, 3), 1], [R(1, 1, 3), 2], [R(2, 1, 3), 7]);
        Assert.Equal(4, paths.Count);
    }

    [Fact]
    public void ElementPickedBeforeABranchingHelperIsCalledAfterIt()
    {
        Assert.Equal(4, Lowers("PickThenCall", [Full(1f, 1, 3), 0], [Full(-1f, 1, 3), 0], [Full(1f, 1, 3), 1], [Full(-1f, 1, 3), 1]).Count);
        var models = ConstructModels.Compiled.Value;
        var model = models.Create("PickThenCall", 7);
        object[] inputs = [Full(1f, 1, 3), 2];
        var eager = Assert.Throws<ArgumentOutOfRangeException>(() => ModelHarness.RunEager(model, "Forward", inputs));
        var lowered = ModelHarness.Lower(models, "PickThenCall", "Forward", model, inputs);
        var failure = Assert.Throws<DyCompile.IR.InterpreterException>(() => ModelHarness.RunLowered(lowered, inputs));
        var outOfRange = Assert.IsType<ArgumentOutOfRangeException>(failure.InnerException);
        Assert.Equal(eager.ParamName, outOfRange.ParamName);
        Assert.Equal(2, outOfRange.ActualValue);
    }

    [Fact]
    public void HelperReturnsThatDifferInSizesMeetInADynamicDimension()
    {
        Assert.Equal(2, Lowers("TrimOrRepeat", [R(1, 2, 4), -100f], [R(1, 2, 4), 100f]).Count);
        var program = Lower("TrimOrRepeat", [R(1, 2, 4), 0f]).Program!;
        Assert.Equal("tensor<f32, [2, 1]>", program.ResultTypes[0].ToString());
        Assert.Equal("tensor<f32, [2, ?]>", program.ResultTypes[1].ToString());
    }

    [Fact]
    public void DispatchOnAnIndexOutsideTheListThrowsLikeTheEagerIndexer()
    {
        var models = ConstructModels.Compiled.Value;
        var model = models.Create("AdaptiveDepth", 7);
        object[] inputs = [R(1, 1, 4), 4];
        Assert.Throws<IndexOutOfRangeException>(() => ModelHarness.RunEager(model, "Forward", inputs));
        var lowered = ModelHarness.Lower(models, "AdaptiveDepth", "Forward", model, inputs);
        var failure = Assert.Throws<DyCompile.IR.InterpreterException>(() => ModelHarness.RunLowered(lowered, inputs));
        var outOfRange = Assert.IsType<IndexOutOfRangeException>(failure.InnerException);
        Assert.Contains("index 3 is outside '_learners' (3 elements)", outOfRange.Message);
    }

    [Fact]
    public void LoopCarriedSequenceGrowsByOneTokenPerStep()
    {
        var start = Tensor.FromArray(new long[] { 2 }, 1, 1);
        var paths = Lowers("GreedyDecoder", [start, 0, 2f], [start, 1, 2f], [start, 5, 2f], [start, 5, 0f], [start, 3, 0.2f]);
        Assert.True(paths.Count >= 4, string.Join("\n", paths));
        var program = Lower("GreedyDecoder", [start, 5, 2f]).Program!;
        Assert.Equal("tensor<i64, [1, ?]>", program.ResultTypes[0].ToString());
    }

    [Fact]
    public void CaptionGrowsFromAnEmptyTensor()
    {
        var paths = Lowers("Captioner", [R(1, 1, 5), 0, 2f], [R(1, 1, 5), 1, 2f], [R(1, 1, 5), 4, 2f], [R(1, 1, 5), 4, 0f]);
        Assert.Equal(4, paths.Count);
    }

    [Fact]
    public void GetReadsARegisteredParameterOrBufferAsAWeight()
    {
        var lowered = Lower("NamedWeights", [R(3, 2, 4)]);
        Assert.Contains("block.scale", lowered.Weights.Keys);
        Assert.Contains("block.shift", lowered.Weights.Keys);
        Assert.Contains("gain", lowered.Weights.Keys);
        Lowers("NamedWeights", [R(3, 2, 4)]);
    }

    private static LoweringResult Lower(string type, object[] inputs)
    {
        var models = ConstructModels.Compiled.Value;
        var lowered = ModelHarness.Lower(models, type, "Forward", models.Create(type, 7), inputs);
        Assert.True(lowered.Succeeded, string.Join("\n", lowered.Diagnostics));
        return lowered;
    }

    [Fact]
    public void BlockDropPatternUnrollsBothLoopsWithTheWidenedTypes()
    {
        // Different inputs run different subsets of the blocks.
        var paths = Lowers("BlockDropPattern", [R(14, 1, 4)], [R(15, 1, 4)], [R(16, 1, 4)], [R(17, 1, 4)], [Full(3f, 1, 4)], [Full(-3f, 1, 4)]);
        Assert.True(paths.Count >= 2);
    }

    [Fact]
    public void SeveralSequencesGrowingInNestedLoopsWiden()
    {
        Lowers("NestedGrowth", [R(1, 1, 2), 0, 0], [R(1, 1, 2), 2, 3], [R(2, 1, 2), 3, 1], [R(3, 1, 2), 1, 4]);
        // Each loop head's carried sequences widen where their sizes change, and nowhere else.
        var text = Lower("NestedGrowth", [R(1, 1, 2), 1, 1]).Program!.ToString();
        Assert.Contains("tensor<f32, [?, 2]>", text);
        Assert.Contains("tensor<f32, [1, ?]>", text);
        Assert.Contains("tensor<f32, [?, ?, 2]>", text);
    }

    [Fact]
    public void TooFewRestartsNameWhatKeptChanging()
    {
        var models = ConstructModels.Compiled.Value;
        var lowered = ModelLowering.Lower(models.Compilation, "NestedGrowth", "Forward", models.Create("NestedGrowth", 7),
            new LoweringOptions { InputTypes = ModelLowering.TypesOf([R(1, 1, 2), 1, 1]), RestartLimit = 1 });
        var error = Assert.Single(lowered.Diagnostics);
        Assert.Equal(DiagnosticIds.TooManySpecializations, error.Id);
        Assert.Contains("restarted 1 times", error.Message);
        Assert.Contains("widen 'rows'", error.Message);
    }

    [Fact]
    public void EveryIndexedLoopKeepsItsCounterKnownAcrossManyRestarts()
    {
        Lowers("ManyIndexedLoops", [R(1, 2, 4)]);
        // One restart per loop: a limit below that names the counter the last restart kept known.
        var models = ConstructModels.Compiled.Value;
        var lowered = ModelLowering.Lower(models.Compilation, "ManyIndexedLoops", "Forward", models.Create("ManyIndexedLoops", 7),
            new LoweringOptions { InputTypes = ModelLowering.TypesOf([R(1, 2, 4)]), RestartLimit = 8 });
        var error = Assert.Single(lowered.Diagnostics);
        Assert.Equal(DiagnosticIds.TooManySpecializations, error.Id);
        Assert.Contains("restarted 8 times", error.Message);
        Assert.Contains("keep 'h' of 'Forward' known", error.Message);
    }

    [Fact]
    public void DispatchArmsDifferingInSizesJoinInADynamicDimension()
    {
        var paths = Lowers("SizedExperts", [R(1, 1, 4)], [R(2, 1, 4)], [R(3, 1, 4)], [R(4, 1, 4)], [R(5, 1, 4)], [R(6, 1, 4)], [R(7, 1, 4)], [R(8, 1, 4)]);
        Assert.True(paths.Count >= 2);
        Assert.Contains("tensor<f32, [1, ?]>", Lower("SizedExperts", [R(1, 1, 4)]).Program!.ToString());
    }

    [Fact]
    public void StraightLineSubmodules() => Assert.Single(Lowers("Mlp", [R(1, 2, 4)]));

    [Fact]
    public void SeveralInputsAndTupleOutput() => Lowers("TwoInputs", [R(1, 3), R(2, 3)]);

    [Fact]
    public void IfElseOnTensorCondition() =>
        Assert.Equal(2, Lowers("IfElse", [Full(1f, 4), 0f], [Full(-1f, 4), 0f]).Count);

    [Fact]
    public void WhileWithBreakStaysALoop() =>
        Assert.Equal(3, Lowers("WhileBreak", [R(3, 1, 4), 0], [R(3, 1, 4), 1], [R(4, 1, 4), 6]).Count);

    [Fact]
    public void DoWhile() =>
        Assert.Equal(2, Lowers("DoWhile", [Full(0.1f, 4)], [Full(3f, 4)]).Count);

    [Fact]
    public void ForWithContinue() =>
        Assert.Equal(3, Lowers("ForContinue", [Full(1f, 3), 4], [Full(-1f, 3), 4], [Full(1f, 3), 0]).Count);

    [Fact]
    public void ForeachOverModuleListUnrolls() => Lowers("Stack", [R(5, 2, 4)]);

    [Fact]
    public void ForeachOverArrayField() => Lowers("ArrayOfLayers", [R(5, 1, 3)]);

    [Fact]
    public void ForOverModuleListIndexUnrolls() =>
        Assert.Equal(2, Lowers("SkipLayers", [R(6, 1, 4), 10f], [R(6, 1, 4), -10f]).Count);

    [Fact]
    public void EarlyReturnFromLoop() =>
        Assert.True(Lowers("EarlyExit", [Full(0f, 1, 4)], [Full(5f, 1, 4)], [Full(-5f, 1, 4)], [R(2, 1, 4)]).Count >= 2);

    [Fact]
    public void ShortCircuitAndConditional() =>
        Assert.True(Lowers("Logic", [Full(0.5f, 3), 0f, 1f, false], [Full(2f, 3), 0f, 1f, true], [Full(-2f, 3), 0f, 1f, false], [Full(0.5f, 3), 0f, 1f, true]).Count >= 3);

    [Fact]
    public void SwitchOnHostScalar() =>
        Assert.Equal(4, Lowers("Switch", [R(1, 3), 0], [R(1, 3), 2], [R(1, 3), 4], [R(1, 3), 9]).Count);

    [Fact]
    public void HelperMethodsInlined() =>
        Assert.True(Lowers("Helpers", [Full(1f, 1, 4), -100f], [Full(1f, 1, 4), 100f]).Count >= 2);

    [Fact]
    public void UserSubmodulesInlined() =>
        Assert.True(Lowers("UserModules", [Full(1f, 1, 4)], [Full(-1f, 1, 4)], [R(9, 1, 4)]).Count >= 2);

    [Fact]
    public void ConstantsAndReadonlyFieldsFold() => Lowers("Folding", [R(2, 2, 4)]);

    [Fact]
    public void HostScalarArithmetic()
    {
        Lowers("HostMath", [R(1, 2), 7, 1.5f], [R(1, 2), 2, -0.5f], [R(1, 2), -5, 0f]);
    }

    [Fact]
    public void LstmCellGenerationLoop() =>
        Assert.True(Lowers("Generator", [R(3, 1, 3), 6, 0.99f], [R(3, 1, 3), 6, 0.1f], [R(3, 1, 3), 1, 0.5f]).Count >= 2);

    [Fact]
    public void BuiltInModules() =>
        Lowers("ConvNet", [R(4, 1, 2, 4, 4), Tensor.FromArray(new long[] { 0, 3, 4, 1 }, 2, 2)]);

    [Fact]
    public void TensorApi() => Lowers("TensorApi", [R(8, 2, 4)]);

    [Fact]
    public void TensorFactoriesBecomeConstants() => Lowers("Factories", [R(8, 4), 1.5f], [R(9, 4), -2f]);

    [Fact]
    public void StrictAttributeTurnsHostFallbackIntoAnError()
    {
        var source = ModelHarness.Usings + """
            [DyCompile(Strict = true)]
            public sealed class Loud : Module
            {
                public Tensor Forward(Tensor x)
                {
                    Console.WriteLine("forward");
                    return x.Relu();
                }
            }
            """;
        var options = new LoweringOptions { InputTypes = [DyCompile.IR.IRType.F32(2)] };
        var strict = ModelLowering.Lower(source, "Loud", "Forward", null, options);
        Assert.Equal(DiagnosticIds.InputOutput, Assert.Single(strict.Errors).Id);
        var lenient = ModelLowering.Lower(source.Replace("(Strict = true)", "", StringComparison.Ordinal), "Loud", "Forward", null, options);
        Assert.True(lenient.Succeeded);
        Assert.Equal(DiagnosticIds.HostFallback, Assert.Single(lenient.Warnings).Id);
    }

    [Fact]
    public void WeightsUseStateDictNames()
    {
        var models = ConstructModels.Compiled.Value;
        var model = models.Create("Stack", 3);
        var lowered = ModelHarness.Lower(models, "Stack", "Forward", model, [R(1, 1, 4)]);
        Assert.Equal(["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "layers.2.weight", "layers.2.bias"], lowered.Weights.Keys);
        var state = ((DyCompile.Runtime.Nn.Module)model).SaveStateDict();
        foreach (var (name, tensor) in lowered.Weights) Assert.Same(state[name], tensor);
    }
}
