using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using DyCompile.IR;
using DyCompile.Runtime;
using DyCompile.Runtime.Nn;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace DyCompile.Compiler.Lowering;

/// <summary>Statements and expressions: evaluates an operation to what the compiler knows about it
/// (a compile-time object or a run-time IR value), folds what is known, emits host ops for
/// run-time scalars, reads members of compile-time objects, and assigns slots. A statement that
/// cannot compile may run eagerly through <c>host.call</c> outside strict mode.</summary>
internal sealed class ExpressionLowerer(MethodLowerer lowerer)
{
    private LoweringState State => lowerer.State;
    private EmissionContext Context => lowerer.Context;
    private ValueEmitter Values => lowerer.Values;
    private CallLowerer Calls => lowerer.Calls;
    private DispatchLowerer Dispatcher => lowerer.Dispatcher;

    internal void Execute(IOperation operation)
    {
        switch (operation)
        {
            case IFlowCaptureOperation capture:
                // Roslyn spills an assignment's target local into a capture before the assigned
                // value branches; a local declared without a value has nothing to read yet.
                if (capture.Value is ILocalReferenceOperation { Local: var target } && !Context.Slots.ContainsKey(target)
                    && Context.Frame.CapturedTargets.ContainsKey(capture.Id))
                    break;
                Context.Slots[capture.Id] = Eval(capture.Value);
                Context.OrderOf(capture.Id);
                break;
            case IExpressionStatementOperation statement:
                if (State.Options.Strict)
                {
                    Eval(statement.Operation);
                    break;
                }
                var block = Context.Block;
                var reads = State.StateReads.Count;
                try
                {
                    Eval(statement.Operation);
                }
                catch (LoweringException e) when (e is not RestartException && CanFallBack(e.Diagnostic.Id) && Context.Block == block && EagerRegion.CanRun(statement))
                {
                    // What the statement read runs eagerly with it, at run time.
                    State.StateReads.RemoveRange(reads, State.StateReads.Count - reads);
                    FallBack(statement, e.Diagnostic);
                }
                break;
            default:
                Eval(operation);
                break;
        }
    }

    private static bool CanFallBack(string id) => id is DiagnosticIds.InputOutput or DiagnosticIds.UnknownMethod or DiagnosticIds.FieldMutation
        or DiagnosticIds.Allocation or DiagnosticIds.UnsupportedExpression or DiagnosticIds.MutableFieldRead;

    /// <summary>Non-strict mode: the statement runs eagerly through <c>host.call</c>, with the
    /// run-time values of the locals it reads; a warning says so.</summary>
    private void FallBack(IOperation statement, Diagnostic why)
    {
        var known = new Dictionary<object, object?>();
        var dynamicSlots = new List<object>();
        var values = new List<Value>();
        foreach (var slot in EagerRegion.Reads(statement))
        {
            switch (Context.Slots.GetValueOrDefault(slot))
            {
                case StaticValue s:
                    known[slot] = s.Object is StaticEnumerator e ? e.Current : s.Object;
                    break;
                case DynamicValue d:
                    dynamicSlots.Add(slot);
                    values.Add(Context.Use(d.Value));
                    break;
                default:
                    throw new LoweringException(why);
            }
        }
        foreach (var written in EagerRegion.Writes(statement))
            State.StateWrites.Add(new StateAccess(LoweringState.MemberOf(written)!, written));
        var symbol = $"{Context.Frame.Method.ContainingType.Name}.{Context.Frame.Method.Name}@{why.Line}:{why.Column}";
        var id = EagerRegion.Register(State.Callbacks, symbol, statement, Context.Frame.Self, known, dynamicSlots);
        Context.Block.Ops("host.call", [Context.Block.Const(id), .. values]);
        State.Warn(DiagnosticIds.HostFallback, statement,
            $"'{statement.Syntax}' runs eagerly on the host (host.call to {symbol}) because {why.Id}: {why.Message}; strict mode makes this an error");
    }

    internal AbstractValue Eval(IOperation op)
    {
        // Operands nest as deep as the source does (calls in calls, parentheses, a right-nested
        // sum): past what the thread's stack holds, a diagnostic instead of a stack overflow.
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
            throw State.Fail(DiagnosticIds.NestingTooDeep, op, ModelLowering.TooDeepMessage);
        if (op.ConstantValue.HasValue && op is not IDeclarationExpressionOperation)
            return new StaticValue(op.ConstantValue.Value);
        switch (op)
        {
            case ILocalReferenceOperation local:
                return Read(local.Local, op);
            case IParameterReferenceOperation parameter:
                return Read(parameter.Parameter, op);
            case IFlowCaptureReferenceOperation capture:
                return Read(capture.Id, op);
            case IInstanceReferenceOperation:
                return new StaticValue(Context.Frame.Self);
            case IParenthesizedOperation paren:
                return Eval(paren.Operand);
            case IFieldReferenceOperation field:
                return ReadField(field);
            case IPropertyReferenceOperation property:
                return ReadProperty(property);
            case IArrayElementReferenceOperation element:
                return ReadElement(element);
            case IConversionOperation conversion:
                return Convert(Eval(conversion.Operand), conversion.Type, conversion);
            case IBinaryOperation binary:
                return Binary(binary);
            case IUnaryOperation unary:
                return Unary(unary);
            case ISimpleAssignmentOperation assignment:
                {
                    var value = Eval(assignment.Value);
                    Assign(assignment.Target, value);
                    return value;
                }
            case ICompoundAssignmentOperation compound:
                {
                    var left = Eval(compound.Target);
                    Context.InFlight.Add(left);
                    var right = Eval(compound.Value);
                    Context.InFlight.RemoveAt(Context.InFlight.Count - 1);
                    var value = compound.OperatorMethod is { } method
                        ? Calls.CallMethod(method, null, [(method.Parameters[0], left), (method.Parameters[1], right)], compound)
                        : ScalarBinary(compound.OperatorKind, left, right, compound.Target.Type, compound.Type, compound);
                    Assign(compound.Target, value);
                    return value;
                }
            case IIncrementOrDecrementOperation increment:
                {
                    var old = Eval(increment.Target);
                    var updated = ScalarBinary(increment.Kind == OperationKind.Increment ? BinaryOperatorKind.Add : BinaryOperatorKind.Subtract,
                        old, new StaticValue(1), increment.Target.Type, increment.Target.Type, increment);
                    Assign(increment.Target, updated);
                    return increment.IsPostfix ? old : updated;
                }
            case IDeconstructionAssignmentOperation deconstruction:
                {
                    var value = Eval(deconstruction.Value);
                    Assign(deconstruction.Target, value);
                    return value;
                }
            case IDeclarationExpressionOperation declaration:
                return Eval(declaration.Expression);
            case ITupleOperation tuple:
                return new TupleValue([.. EvalAll(tuple.Elements)]);
            case IInvocationOperation invocation:
                return Calls.Invoke(invocation);
            case IArrayCreationOperation array:
                return CreateArray(array);
            case ICollectionExpressionOperation collection when collection.Type is IArrayTypeSymbol arrayType:
                return ArrayOf(Elements(collection), arrayType.ElementType.SpecialType, collection);
            case ICollectionExpressionOperation collection when IsTensorList(collection.Type):
                return new TupleValue([.. Elements(collection)]);
            case IObjectCreationOperation creation when IsTensorList(creation.Type) && creation.Initializer is null
                && creation.Arguments.All(a => a.Value.Type?.SpecialType == SpecialType.System_Int32):
                // new List<Tensor>() (a capacity aside): the list's items are tracked as the program runs.
                return new TupleValue([]);
            case IIsNullOperation isNull:
                {
                    var operand = Eval(isNull.Operand);
                    return new StaticValue(operand is StaticValue { Object: null });
                }
            case IDefaultValueOperation defaultValue:
                return new StaticValue(defaultValue.Type is { IsValueType: true } t && t.SpecialType != SpecialType.None ? DefaultOf(t) : null);
            case IIsPatternOperation pattern:
                return Pattern(Eval(pattern.Value), pattern.Pattern, pattern.Value.Type);
            case IObjectCreationOperation creation:
                throw State.Fail(DiagnosticIds.Allocation, op,
                    $"creating a {creation.Type?.Name ?? "object"} in a forward method cannot compile; create it in the constructor and keep it in a readonly field");
            case IAnonymousFunctionOperation or IDelegateCreationOperation:
                throw State.Fail(DiagnosticIds.Lambda, op, "lambdas and delegates cannot compile; write the computation inline or as a helper method of the model");
            case IThrowOperation:
                throw State.Fail(DiagnosticIds.Exceptions, op, "throwing exceptions cannot compile; return a sentinel value or check the condition before the forward pass");
            case IAddressOfOperation:
                throw State.Fail(DiagnosticIds.Unsafe, op, "pointers and unsafe code cannot compile; use tensor operations");
            default:
                throw State.Fail(DiagnosticIds.UnsupportedExpression, op,
                    $"this expression ({op.Kind}) is outside the compiled subset; see docs/language.md for what a forward method may contain");
        }
    }

    private List<AbstractValue> EvalAll(IEnumerable<IOperation> operations)
    {
        var mark = Context.InFlight.Count;
        var result = new List<AbstractValue>();
        foreach (var o in operations)
        {
            var v = Eval(o);
            result.Add(v);
            Context.InFlight.Add(v);
        }
        Context.InFlight.RemoveRange(mark, Context.InFlight.Count - mark);
        return result;
    }

    /// <summary>The elements of a collection expression, a spread (<c>[.. list]</c>) inlined.</summary>
    private List<AbstractValue> Elements(ICollectionExpressionOperation collection)
    {
        var result = new List<AbstractValue>();
        var mark = Context.InFlight.Count;
        foreach (var element in collection.Elements)
        {
            if (element is ISpreadOperation spread)
            {
                var items = Eval(spread.Operand);
                if (items is TupleValue t) result.AddRange(t.Items);
                else if (items is StaticValue { Object: int[] ints }) result.AddRange(ints.Select(i => (AbstractValue)new StaticValue(i)));
                else throw State.Fail(DiagnosticIds.UnsupportedExpression, spread, $"'{spread.Operand.Syntax}' cannot be spread here; spread a List<Tensor> or an array");
            }
            else result.Add(Eval(element));
            Context.InFlight.AddRange(result.Skip(Context.InFlight.Count - mark));
        }
        Context.InFlight.RemoveRange(mark, Context.InFlight.Count - mark);
        return result;
    }

    /// <summary>Whether <paramref name="type"/> is <c>List&lt;Tensor&gt;</c>.</summary>
    internal static bool IsTensorList(ITypeSymbol? type) =>
        type is INamedTypeSymbol { Name: "List", TypeArguments: [{ Name: "Tensor" } element] } list
        && list.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic"
        && element.ContainingNamespace?.ToDisplayString() == "DyCompile.Runtime";

    private static object? DefaultOf(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Int32 => 0,
        SpecialType.System_Single => 0f,
        SpecialType.System_Double => 0.0,
        SpecialType.System_Boolean => false,
        _ => null,
    };

    private AbstractValue Read(object slot, IOperation at) =>
        Context.Slots.TryGetValue(slot, out var v) ? v
        : throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"'{at.Syntax}' is read before the compiler saw it assigned on this path; assign it on every path first");

    private void Assign(IOperation target, AbstractValue value)
    {
        switch (target)
        {
            case ILocalReferenceOperation local:
                Context.Slots[local.Local] = value;
                State.AssignedAt[local.Local] = target.Parent ?? target;
                Context.OrderOf(local.Local);
                break;
            case IParameterReferenceOperation parameter:
                if (parameter.Parameter.RefKind != RefKind.None)
                    throw State.Fail(DiagnosticIds.RefOrOut, target, "ref and out parameters cannot compile; return the values (a tuple for several)");
                Context.Slots[parameter.Parameter] = value;
                State.AssignedAt[parameter.Parameter] = target.Parent ?? target;
                break;
            case IDeclarationExpressionOperation declaration:
                Assign(declaration.Expression, value);
                break;
            case ITupleOperation tuple:
                {
                    var items = value is TupleValue t ? t.Items
                        : throw State.Fail(DiagnosticIds.UnsupportedExpression, target, "only tuples can be deconstructed");
                    for (var i = 0; i < tuple.Elements.Length; i++) Assign(tuple.Elements[i], items[i]);
                    break;
                }
            case IDiscardOperation:
                break;
            case IFlowCaptureReferenceOperation capture when Context.Frame.CapturedTargets.TryGetValue(capture.Id, out var captured):
                Assign(captured, value);
                break;
            case IFieldReferenceOperation or IPropertyReferenceOperation or IArrayElementReferenceOperation:
                throw State.Fail(DiagnosticIds.FieldMutation, target,
                    $"assigning '{target.Syntax}' mutates the model; a forward method must be a function of its inputs: keep the value in a local and return it (state kept between calls: pass it in as a parameter and return the new value)");
            default:
                throw State.Fail(DiagnosticIds.UnsupportedExpression, target, $"cannot assign to '{target.Syntax}'; assign to a local variable");
        }
    }

    private AbstractValue ReadField(IFieldReferenceOperation op)
    {
        var field = op.Field;
        var receiver = op.Instance is null ? null : Eval(op.Instance);
        if (receiver is DispatchValue picked)
            throw NotACall(picked, op);
        if (receiver is TupleValue tuple)
            return tuple.Items[TupleIndex(field, op)];
        if (receiver is DynamicValue)
            throw State.Fail(DiagnosticIds.UnsupportedExpression, op, $"field '{field.Name}' of a run-time value cannot compile");
        var owner = (receiver as StaticValue)?.Object;
        if (op.Instance is not null && owner is null)
            throw State.Fail(DiagnosticIds.UnsupportedExpression, op, ValueEmitter.NullMessage((receiver as StaticValue)!, op.Instance));
        var value = ReflectField(field, owner, op);
        if (!field.IsReadOnly && !field.IsConst) State.StateReads.Add(new StateAccess(field.OriginalDefinition, op));
        if (value is null && !field.IsConst) return new StaticValue(null) { NullField = field.Name };
        if (value is Tensor named && owner is not null) State.WeightNames.Suggest(named, owner, field.Name);
        if (value is Tensor or Module or null || field.IsReadOnly || field.IsConst || field.Type.TypeKind == TypeKind.Array && value is not float[] and not int[])
            return new StaticValue(value);
        if (field.Type.TypeKind == TypeKind.Array)
            return new StaticValue(value);
        throw State.Fail(DiagnosticIds.MutableFieldRead, op,
            $"field '{field.Name}' is not readonly, so its value may change between calls; mark it readonly (or const) so it folds into the program, or pass the value as a parameter");
    }

    private int TupleIndex(IFieldSymbol field, IOperation at)
    {
        var name = field.CorrespondingTupleField?.Name ?? field.Name;
        if (name.StartsWith("Item", StringComparison.Ordinal) && int.TryParse(name.AsSpan(4), out var n)) return n - 1;
        var index = field.ContainingType.TupleElements.IndexOf(field, SymbolEqualityComparer.Default);
        return index >= 0 ? index : throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"unknown tuple element '{field.Name}'");
    }

    private object? ReflectField(IFieldSymbol field, object? owner, IOperation at)
    {
        if (field.IsConst) return field.ConstantValue;
        var type = owner?.GetType() ?? FindType(field.ContainingType, at);
        for (var t = type; t is not null; t = t.BaseType)
        {
            var info = t.GetField(field.Name, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly);
            if (info is not null) return info.GetValue(info.IsStatic ? null : owner);
        }
        throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"field '{field.Name}' was not found on the model instance; lower the model with an instance of the compiled type");
    }

    private Type FindType(INamedTypeSymbol symbol, IOperation at)
    {
        var name = symbol.ContainingNamespace.IsGlobalNamespace ? symbol.MetadataName : symbol.ContainingNamespace.ToDisplayString() + "." + symbol.MetadataName;
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            if (assembly.GetType(name) is { } t) return t;
        throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"type '{name}' is not loaded");
    }

    private AbstractValue ReadProperty(IPropertyReferenceOperation op)
    {
        var property = op.Property;
        var receiver = op.Instance is null ? null : Eval(op.Instance);
        var args = EvalAll(op.Arguments.Select(a => a.Value));
        if (receiver is DispatchValue picked)
            throw NotACall(picked, op);
        if (property.IsIndexer && receiver is StaticValue { Object: var collection } && Dispatcher.ModuleItems(collection) is { } modules && args is [var position])
        {
            if (position is DynamicValue dynamicPosition) return Dispatcher.IndexModules(modules, dynamicPosition, op.Instance!, op);
            if (position is StaticValue { Object: int p } && (p < 0 || p >= modules.Count) && Dispatcher.DispatchInstead(op) is { } restart) throw restart;
        }
        if (receiver is DynamicValue { Value.Type: TensorType tensor } && args.Count == 0)
        {
            if (property.Name == "Rank") return new StaticValue(tensor.Rank);
            if (property.Name == "Length" && tensor.IsStatic) return new StaticValue((int)tensor.ElementCount);
        }
        if (receiver is StaticValue { Object: StaticEnumerator e } && property.Name == "Current")
            return new StaticValue(e.Current);
        if (receiver is TupleValue tuple && property.IsIndexer && args is [StaticValue { Object: int i }])
            return tuple.Items[i];
        if (receiver is TupleValue list && property.Name is "Length" or "Count")
            return new StaticValue(list.Items.Length);
        if (receiver is not (StaticValue or null) || args.Any(a => a is not StaticValue))
        {
            var dynamicIndex = args.OfType<DynamicValue>().FirstOrDefault();
            if (dynamicIndex is not null && receiver is StaticValue)
                throw Values.NeedStatic(dynamicIndex.Value, DiagnosticIds.DynamicModuleIndex, op,
                    $"indexing '{op.Instance?.Syntax}' needs an index known at compile time; iterate with foreach, or bound the loop by the list's Count");
            throw State.Fail(DiagnosticIds.UnsupportedExpression, op, $"property '{property.Name}' of a run-time value cannot compile");
        }
        var owner = (receiver as StaticValue)?.Object;
        if (!IsPureProperty(property))
            throw State.Fail(DiagnosticIds.UnsupportedExpression, op, $"property '{property.Name}' is computed by code the compiler does not inline; read a field or make it an auto-property");
        try
        {
            var type = owner?.GetType() ?? FindType(property.ContainingType, op);
            var info = FindProperty(type, property, args.Count)
                ?? throw State.Fail(DiagnosticIds.UnsupportedExpression, op, $"property '{property.Name}' was not found on the model instance");
            var value = info.GetValue(owner, [.. args.Select(a => ((StaticValue)a).Object)]);
            if (IsSettable(property))
            {
                // The same rule as a field that is not readonly: a scalar may change between calls.
                if (value is not (Tensor or Module or Array or null))
                    throw State.Fail(DiagnosticIds.MutableFieldRead, op,
                        $"property '{property.Name}' has a setter, so its value may change between calls; make it get-only ({{ get; }} or {{ get; init; }}) so it folds into the program, or pass the value as a parameter");
                State.StateReads.Add(new StateAccess(property.OriginalDefinition, op));
            }
            return new StaticValue(value);
        }
        catch (System.Reflection.TargetInvocationException failure)
        {
            throw State.Fail(DiagnosticIds.UnsupportedExpression, op, $"reading '{op.Syntax}' failed at compile time: {failure.InnerException?.Message}");
        }
    }

    /// <summary>A property of the model's source that code may assign after construction: it has
    /// a setter that is not <c>init</c> (a private one too).</summary>
    private static bool IsSettable(IPropertySymbol property) =>
        property.DeclaringSyntaxReferences.Length > 0 && !property.IsIndexer && property.SetMethod is { IsInitOnly: false };

    private static System.Reflection.PropertyInfo? FindProperty(Type type, IPropertySymbol property, int indexCount)
    {
        const System.Reflection.BindingFlags flags = System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static;
        var name = property.IsIndexer ? property.MetadataName : property.Name;
        return type.GetProperties(flags).FirstOrDefault(p => p.Name == name && p.GetIndexParameters().Length == indexCount)
            ?? type.GetProperties(flags).FirstOrDefault(p => p.Name.EndsWith("." + name, StringComparison.Ordinal) && p.GetIndexParameters().Length == indexCount);
    }

    /// <summary>A property the compiler may read at compile time: one of the runtime (its getters
    /// have no side effects), an auto-property, or an array/collection length.</summary>
    private static bool IsPureProperty(IPropertySymbol property)
    {
        if (property.DeclaringSyntaxReferences.Length == 0) return true;
        return property.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<Microsoft.CodeAnalysis.CSharp.Syntax.PropertyDeclarationSyntax>()
            .All(p => p.ExpressionBody is null && (p.AccessorList?.Accessors.All(a => a.Body is null && a.ExpressionBody is null) ?? false));
    }

    private AbstractValue ReadElement(IArrayElementReferenceOperation op)
    {
        var array = Eval(op.ArrayReference);
        var indices = EvalAll(op.Indices);
        if (array is StaticValue { Object: Module[] moduleArray } && Dispatcher.ModuleItems(moduleArray) is { } modules && indices is [var position])
        {
            if (position is DynamicValue dynamicPosition) return Dispatcher.IndexModules(modules, dynamicPosition, op.ArrayReference, op);
            if (position is StaticValue { Object: int p } && (p < 0 || p >= modules.Count) && Dispatcher.DispatchInstead(op) is { } restart) throw restart;
        }
        if (indices is not [StaticValue { Object: int i }])
        {
            if (indices is [DynamicValue d])
                throw Values.NeedStatic(d.Value, DynamicIndexId(array), op, $"indexing '{op.ArrayReference.Syntax}' needs an index known at compile time; iterate with foreach, or bound the loop by a constant");
            throw State.Fail(DiagnosticIds.UnsupportedExpression, op, "only one-dimensional arrays indexed by an int can compile");
        }
        return array switch
        {
            TupleValue t when i >= 0 && i < t.Items.Length => t.Items[i],
            StaticValue { Object: Array a } when i >= 0 && i < a.Length => new StaticValue(a.GetValue(i)),
            _ => throw State.Fail(DiagnosticIds.UnsupportedExpression, op, $"index {i} is outside '{op.ArrayReference.Syntax}'"),
        };
    }

    private LoweringException NotACall(DispatchValue picked, IOperation at) =>
        State.Fail(DiagnosticIds.DynamicModuleIndex, at,
            $"'{at.Syntax}' reads a member of an element of '{picked.Collection}' picked by a run-time index; only a call on it compiles (as a dispatch): '{picked.Collection}[i].Forward(x)'");

    private static string DynamicIndexId(AbstractValue array) => array is StaticValue { Object: Module[] } ? DiagnosticIds.DynamicModuleIndex : DiagnosticIds.NotCompileTimeConstant;

    private AbstractValue CreateArray(IArrayCreationOperation op)
    {
        if (op.Initializer is null)
        {
            var sizes = EvalAll(op.DimensionSizes);
            if (sizes is [StaticValue { Object: 0 }]) return ElementType(op) == SpecialType.System_Int32 ? new StaticValue(Array.Empty<int>()) : new TupleValue([]);
            throw State.Fail(DiagnosticIds.Allocation, op, "allocating arrays cannot compile; use an array literal of constants or tensors");
        }
        return ArrayOf(EvalAll(op.Initializer.ElementValues), ElementType(op), op);
    }

    private AbstractValue ArrayOf(List<AbstractValue> items, SpecialType elementType, IOperation op)
    {
        if (elementType == SpecialType.System_Int32)
        {
            if (items.All(v => v is StaticValue { Object: int })) return new StaticValue(items.Select(v => (int)((StaticValue)v).Object!).ToArray());
            var dynamicItem = items.OfType<DynamicValue>().First();
            throw Values.NeedStatic(dynamicItem.Value, DiagnosticIds.NotCompileTimeConstant, op, "the elements of this int array must be known at compile time (constants, readonly fields, or dimensions of static shape); "
                + "a size read at run time (x.Dim(d) of a dimension that is '?') cannot be one: in a Reshape write -1 for the one size the others determine (x.Reshape(-1, 3)), "
                + "and create a tensor of a run-time size from a tensor that has it ('x * 0f' gives zeros shaped like x)");
        }
        return new TupleValue([.. items]);
    }

    private static SpecialType ElementType(IArrayCreationOperation op) => (op.Type as IArrayTypeSymbol)?.ElementType.SpecialType ?? SpecialType.None;

    private AbstractValue Convert(AbstractValue value, ITypeSymbol? target, IOperation at)
    {
        if (target is null) return value;
        var special = target.SpecialType;
        if (special is not (SpecialType.System_Int32 or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Boolean or SpecialType.System_Int64))
            return value;
        switch (value)
        {
            case StaticValue { Object: null }:
                return value;
            case StaticValue { Object: IConvertible c } when c is int or float or double or bool or long:
                return new StaticValue(special switch
                {
                    SpecialType.System_Int32 => c is float f ? (int)f : c is double d ? (int)d : c is long l ? (int)l : System.Convert.ToInt32(c, System.Globalization.CultureInfo.InvariantCulture),
                    SpecialType.System_Int64 => c is float f ? (long)f : c is double d ? (long)d : System.Convert.ToInt64(c, System.Globalization.CultureInfo.InvariantCulture),
                    SpecialType.System_Single => c is double d ? (float)d : System.Convert.ToSingle(c, System.Globalization.CultureInfo.InvariantCulture),
                    SpecialType.System_Double => c is float f ? (double)f : System.Convert.ToDouble(c, System.Globalization.CultureInfo.InvariantCulture),
                    _ => System.Convert.ToBoolean(c, System.Globalization.CultureInfo.InvariantCulture),
                });
            case DynamicValue { Value.Type: ScalarType s } d:
                var kind = KindOf(target, at);
                if (kind == s.Kind) return d;
                return kind switch
                {
                    ScalarKind.Float => new DynamicValue(Values.Host("to_float", d.Value)),
                    ScalarKind.Int => new DynamicValue(Values.Host("to_int", d.Value)),
                    _ => throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"cannot convert {s} to bool"),
                };
            default:
                return value;
        }
    }

    private ScalarKind KindOf(ITypeSymbol? type, IOperation at) => type?.SpecialType switch
    {
        SpecialType.System_Int32 => ScalarKind.Int,
        SpecialType.System_Single or SpecialType.System_Double => ScalarKind.Float,
        SpecialType.System_Boolean => ScalarKind.Bool,
        _ => throw State.Fail(DiagnosticIds.UnsupportedType, at,
            $"values of type {type?.ToDisplayString() ?? "unknown"} cannot compile; use Tensor, int, float or bool"),
    };

    private AbstractValue Unary(IUnaryOperation op)
    {
        var operand = Eval(op.Operand);
        if (op.OperatorMethod is { } method)
            return Calls.CallMethod(method, null, [(method.Parameters[0], operand)], op);
        switch (op.OperatorKind)
        {
            case UnaryOperatorKind.Plus:
                return operand;
            case UnaryOperatorKind.Minus:
                return operand is StaticValue s
                    ? new StaticValue(s.Object switch { int i => -i, float f => -f, double d => -d, _ => throw State.Fail(DiagnosticIds.UnsupportedExpression, op, "cannot negate this value") })
                    : new DynamicValue(Values.Host("neg", Values.HostScalar(operand, KindOf(op.Type, op), op)));
            case UnaryOperatorKind.Not:
                return operand is StaticValue { Object: bool b }
                    ? new StaticValue(!b)
                    : new DynamicValue(Values.Host("not", Values.HostScalar(operand, ScalarKind.Bool, op)));
            default:
                throw State.Fail(DiagnosticIds.UnsupportedExpression, op, $"operator {op.OperatorKind} cannot compile");
        }
    }

    /// <summary>A binary operation. <c>a + b + c + …</c> nests to the left as deep as it is long,
    /// so the left spine is walked with an explicit stack: a sum of thousands of terms lowers
    /// without recursing once per term.</summary>
    private AbstractValue Binary(IBinaryOperation op)
    {
        var spine = new Stack<IBinaryOperation>();
        spine.Push(op);
        while (spine.Peek().LeftOperand is IBinaryOperation { ConstantValue.HasValue: false } inner)
            spine.Push(inner);
        var left = Eval(spine.Peek().LeftOperand);
        while (spine.Count > 0)
        {
            var current = spine.Pop();
            Context.InFlight.Add(left);
            var right = Eval(current.RightOperand);
            Context.InFlight.RemoveAt(Context.InFlight.Count - 1);
            left = current.OperatorMethod is { } method
                ? Calls.CallMethod(method, null, [(method.Parameters[0], left), (method.Parameters[1], right)], current)
                : ScalarBinary(current.OperatorKind, left, right, current.LeftOperand.Type, current.Type, current);
        }
        return left;
    }

    private AbstractValue ScalarBinary(BinaryOperatorKind kind, AbstractValue left, AbstractValue right, ITypeSymbol? operandType, ITypeSymbol? resultType, IOperation at)
    {
        // 'best == null' on a tensor or module: known, as 'best is null' is.
        if (kind is BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals && operandType is { IsReferenceType: true }
            && (left is StaticValue { Object: null } || right is StaticValue { Object: null }))
        {
            // A program value is never null, so only two nulls are equal.
            var equal = left is StaticValue { Object: null } && right is StaticValue { Object: null };
            return new StaticValue(kind == BinaryOperatorKind.Equals ? equal : !equal);
        }
        var operandKind = KindOf(operandType, at);
        if (left is StaticValue { Object: not null } l && right is StaticValue { Object: not null } r)
            return new StaticValue(ScalarFolding.Fold(kind, l.Object!, r.Object!, operandType!.SpecialType)
                ?? throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"operator {kind} on {operandType} cannot compile"));
        if (operandType?.SpecialType == SpecialType.System_Double || resultType?.SpecialType == SpecialType.System_Double)
            State.Warn(DiagnosticIds.UnsupportedType, at, "double arithmetic on run-time values runs in float (the IR's host float is 32-bit), so results may differ from the eager double computation; declare the value float");
        var a = Values.HostScalar(left, operandKind, at);
        var b = Values.HostScalar(right, operandKind, at);
        var name = (kind, operandKind) switch
        {
            (BinaryOperatorKind.Add, not ScalarKind.Bool) => "add",
            (BinaryOperatorKind.Subtract, not ScalarKind.Bool) => "sub",
            (BinaryOperatorKind.Multiply, not ScalarKind.Bool) => "mul",
            (BinaryOperatorKind.Divide, not ScalarKind.Bool) => "div",
            (BinaryOperatorKind.Remainder, ScalarKind.Int) => "rem",
            (BinaryOperatorKind.LessThan, not ScalarKind.Bool) => "lt",
            (BinaryOperatorKind.LessThanOrEqual, not ScalarKind.Bool) => "le",
            (BinaryOperatorKind.GreaterThan, not ScalarKind.Bool) => "gt",
            (BinaryOperatorKind.GreaterThanOrEqual, not ScalarKind.Bool) => "ge",
            (BinaryOperatorKind.Equals, _) => "eq",
            (BinaryOperatorKind.NotEquals, _) => "ne",
            (BinaryOperatorKind.And or BinaryOperatorKind.ConditionalAnd, ScalarKind.Bool) => "and",
            (BinaryOperatorKind.Or or BinaryOperatorKind.ConditionalOr, ScalarKind.Bool) => "or",
            (BinaryOperatorKind.ExclusiveOr, ScalarKind.Bool) => "ne",
            _ => throw State.Fail(DiagnosticIds.UnsupportedExpression, at, $"operator {kind} on {operandKind} cannot compile; host scalars support + - * / (% on int), comparisons, && || ! and ^ on bool"),
        };
        if (name == "rem")
        {
            // C#'s int remainder truncates toward zero, as host.div does: a - (a / b) * b.
            var q = Values.Host("div", a, b);
            return new DynamicValue(Values.Host("sub", a, Values.Host("mul", q, b)));
        }
        return new DynamicValue(Values.Host(name, a, b));
    }

    private AbstractValue Pattern(AbstractValue value, IPatternOperation pattern, ITypeSymbol? type)
    {
        switch (pattern)
        {
            case IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } when value is StaticValue known:
                // 'field is null' on a module or tensor field folds: the instance is known.
                return new StaticValue(known.Object is null);
            case IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } when value is DynamicValue or TupleValue:
                // A value computed by the program is never null ('best is null' once best holds a tensor).
                return new StaticValue(false);
            case IConstantPatternOperation constant:
                return ScalarBinary(BinaryOperatorKind.Equals, value, Convert(Eval(constant.Value), type, constant), type, null, pattern);
            case IRelationalPatternOperation relational:
                return ScalarBinary(relational.OperatorKind, value, Convert(Eval(relational.Value), type, relational), type, null, pattern);
            case IDiscardPatternOperation:
                return new StaticValue(true);
            case INegatedPatternOperation negated:
                var inner = Pattern(value, negated.Pattern, type);
                return inner is StaticValue { Object: bool b } ? new StaticValue(!b) : new DynamicValue(Values.Host("not", Values.HostScalar(inner, ScalarKind.Bool, pattern)));
            case IBinaryPatternOperation binary:
                var left = Pattern(value, binary.LeftPattern, type);
                var right = Pattern(value, binary.RightPattern, type);
                return ScalarBinary(binary.OperatorKind == BinaryOperatorKind.Or ? BinaryOperatorKind.Or : BinaryOperatorKind.And, left, right,
                    State.Compilation.GetSpecialType(SpecialType.System_Boolean), null, pattern);
            default:
                throw State.Fail(DiagnosticIds.UnsupportedExpression, pattern, "only constant, relational, not/and/or and discard patterns on host scalars can compile");
        }
    }
}
