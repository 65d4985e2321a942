-- What an operator does once per service: its own role and database (the services never create
-- them in production). Run by PostgreSQL's image on its first start.
CREATE ROLE courseware LOGIN PASSWORD 'courseware';
CREATE DATABASE courseware OWNER courseware;
REVOKE ALL ON DATABASE courseware FROM PUBLIC;
CREATE ROLE codec LOGIN PASSWORD 'codec';
CREATE DATABASE codec OWNER codec;
REVOKE ALL ON DATABASE codec FROM PUBLIC;
