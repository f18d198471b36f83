/** The iQDB database API: open a database, create collections, write and search vectors. */
package io.iqdb;
