import ArgumentParser
import Equilibrium

/// Runs `check` and turns the configuration errors it may throw (bad config values, unknown
/// presets, bad meta-game or mixture settings) into ArgumentParser's usage errors: a message
/// naming the problem, the usage line, exit code 64.
func asUsageErrors(_ check: () throws -> Void) throws {
    do {
        try check()
    } catch let error as MetaGameError {
        throw ValidationError(error.description)
    } catch let error as GANConfigError {
        throw ValidationError(error.description)
    } catch let error as ConfigLoader.Failure {
        throw ValidationError(error.description)
    }
}
