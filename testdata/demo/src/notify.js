const slack = new WebClient('xoxb-33153455275-148043390649-eihCn9Sob0YvD9gtsV1ySqet');
const password = process.env.DB_PASSWORD; // a reference, not a secret
