import Mongo
import TestSupport

extension MongoServer {
    /// A client of the project's own for a database on this server (TestSupport does not depend on it).
    func client(database: String = "txstats_test", appName: String = "txstats-tests") throws -> MongoClient {
        try MongoClient(uri: uri, database: database, appName: appName)
    }
}
