import Foundation

/// When a run counts as converged (spec particles.md §5.2, P3): diversity at most
/// `diversity` and every particle (or the given `fraction` of them, to 1 % resolution) within
/// `distance` of a target centre, holding from some evaluation on.
public struct ConvergenceCriterion: Sendable, Codable, Equatable {
    public var diversity: Double
    public var distance: Double
    /// The fraction of particles that must be within `distance` (1: every particle, the spec's rule).
    public var fraction: Double = 1
    /// Stop the run early once the condition has held at every evaluation for this many steps
    /// (nil: run all steps). "Stays converged" then means "for this window".
    public var holdSteps: Int?

    public init(diversity: Double = 0.05, distance: Double = 0.05, fraction: Double = 1, holdSteps: Int? = nil) {
        precondition(fraction > 0 && fraction <= 1, "ConvergenceCriterion: fraction must be in (0, 1], got \(fraction)")
        self.diversity = diversity
        self.distance = distance
        self.fraction = fraction
        self.holdSteps = holdSteps
    }

    public func isMet(by s: ParticleSnapshot) -> Bool {
        s.diversity <= diversity && s.nearestDistanceQuantiles[Int((fraction * 100).rounded(.up))] <= distance
    }
}

/// One evaluation along a run: metrics and the step's losses.
public struct ParticleRecord: Sendable, Equatable {
    public var snapshot: ParticleSnapshot
    public var report: ParticleStepReport
    /// ‖Δ centre of mass‖ per step since the previous evaluation.
    public var centreOfMassSpeed: Double
}

/// A finished (or stopped) run.
public struct ParticleRunResult: Sendable {
    public var records: [ParticleRecord]
    public var finalParticles: [Double]
    public var steps: Int
    public var wallSeconds: Double
    public var criterion: ConvergenceCriterion
    /// Set when the run diverged; records stop at the last good evaluation.
    public var divergence: String?

    public var final: ParticleSnapshot { records.last!.snapshot }

    /// The first evaluated step from which the criterion holds at every later evaluation (nil
    /// if it does not hold at the last one).
    public var convergenceStep: Int? {
        guard divergence == nil, let last = records.last, criterion.isMet(by: last.snapshot) else { return nil }
        var index = records.count - 1
        while index > 0 && criterion.isMet(by: records[index - 1].snapshot) { index -= 1 }
        return records[index].snapshot.step
    }

    /// Evaluations at which the most-populated target changed (spec §6, mode hopping).
    public var modeHops: Int {
        zip(records, records.dropFirst()).filter { $0.snapshot.dominantCentre != $1.snapshot.dominantCentre }.count
    }

    /// Mean diversity over the last `fraction` of the evaluations: a steadier reading than
    /// the final value when the cloud hops.
    public func meanDiversity(lastFraction fraction: Double = 0.2) -> Double {
        let k = Swift.max(1, Int((Double(records.count) * fraction).rounded()))
        let tail = records.suffix(k)
        return tail.reduce(0) { $0 + $1.snapshot.diversity } / Double(tail.count)
    }

    /// Oscillation amplitude over the last `fraction` of the evaluations: half the range of
    /// the centre of mass's first coordinate.
    public func oscillationAmplitude(lastFraction fraction: Double = 0.2) -> Double {
        let k = Swift.max(1, Int((Double(records.count) * fraction).rounded()))
        let xs = records.suffix(k).map { $0.snapshot.centreOfMass[0] }
        return ((xs.max() ?? 0) - (xs.min() ?? 0)) / 2
    }
}

extension ParticleSystem {
    /// Runs `steps` more steps, evaluating at the start, every `evaluateEvery` steps and at the
    /// end. A divergence ends the run early with `divergence` set (the state stays at the last
    /// good step). `progress` is called after each evaluation.
    public func run(steps: Int, evaluateEvery: Int, criterion: ConvergenceCriterion = ConvergenceCriterion(),
                    progress: ((ParticleRecord) -> Void)? = nil) -> ParticleRunResult {
        precondition(steps >= 0 && evaluateEvery >= 1, "ParticleSystem.run: steps ≥ 0 and evaluateEvery ≥ 1")
        let clock = ContinuousClock()
        let started = clock.now
        var records: [ParticleRecord] = []
        var lastCentre = snapshot().centreOfMass
        var lastStep = step
        func evaluate(_ report: ParticleStepReport) {
            let s = snapshot()
            var moved = 0.0
            for k in s.centreOfMass.indices { moved += (s.centreOfMass[k] - lastCentre[k]) * (s.centreOfMass[k] - lastCentre[k]) }
            let speed = step > lastStep ? moved.squareRoot() / Double(step - lastStep) : 0
            lastCentre = s.centreOfMass
            lastStep = step
            let record = ParticleRecord(snapshot: s, report: report, centreOfMassSpeed: speed)
            records.append(record)
            progress?(record)
        }
        evaluate(ParticleStepReport())
        var divergence: String?
        var heldSince: Int? = criterion.isMet(by: records[0].snapshot) ? step : nil
        let end = step + steps
        while step < end {
            let report: ParticleStepReport
            do { report = try advance() } catch {
                divergence = error.description
                break
            }
            if step % evaluateEvery == 0 || step == end {
                evaluate(report)
                if criterion.isMet(by: records.last!.snapshot) {
                    if heldSince == nil { heldSince = records.last!.snapshot.step }
                    if let hold = criterion.holdSteps, step - heldSince! >= hold { break }
                } else {
                    heldSince = nil
                }
            }
        }
        let seconds = started.duration(to: clock.now)
        return ParticleRunResult(records: records, finalParticles: particles, steps: step, wallSeconds:
            Double(seconds.components.seconds) + Double(seconds.components.attoseconds) * 1e-18,
            criterion: criterion, divergence: divergence)
    }
}
